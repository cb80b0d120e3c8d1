import { createRoute } from "@hono/zod-openapi";
import type { VclusterRecord } from "../../store/records.ts";
import { effectiveTopicPolicy } from "../../model/topic-policy-schema.ts";
import { effectiveQuotas } from "../../model/quota-schema.ts";
import { bootstrapAddress, renderClientProperties } from "../client-properties.ts";
import type { AdminDeps } from "../deps.ts";
import { NameParams, PutVclusterBody, VclusterDetail, VclusterList } from "../schemas.ts";
import { type AdminApp, errorResponses } from "./common.ts";
import { backingPrincipal } from "../../backing/tenant-credentials.ts";
import { backingRequested, provisionBacking, removeBacking } from "./vcluster-backing.ts";
import { registerBackingAclRoutes } from "./vcluster-backing-acls.ts";

const tags = ["vclusters"];

const listRoute = createRoute({
  method: "get",
  path: "/v1/vclusters",
  tags,
  summary: "List virtual clusters",
  responses: {
    200: { description: "All vclusters", content: { "application/json": { schema: VclusterList } } },
    ...errorResponses(401),
  },
});

const getRoute = createRoute({
  method: "get",
  path: "/v1/vclusters/{name}",
  tags,
  summary: "Show a virtual cluster with its bootstrap address and example client properties",
  request: { params: NameParams },
  responses: {
    200: { description: "The vcluster", content: { "application/json": { schema: VclusterDetail } } },
    ...errorResponses(400, 401, 404),
  },
});

const putRoute = createRoute({
  method: "put",
  path: "/v1/vclusters/{name}",
  tags,
  summary: "Create a virtual cluster, or update its labels, topic policy and quotas",
  description: "Idempotent. The prefix is fixed at creation; a different prefix later is a 409.",
  request: {
    params: NameParams,
    body: { content: { "application/json": { schema: PutVclusterBody } }, required: false },
  },
  responses: {
    200: { description: "Already existed (labels and topic policy updated)", content: { "application/json": { schema: VclusterDetail } } },
    201: { description: "Created", content: { "application/json": { schema: VclusterDetail } } },
    ...errorResponses(400, 401, 409, 413, 502),
  },
});

const deleteRoute = createRoute({
  method: "delete",
  path: "/v1/vclusters/{name}",
  tags,
  summary: "Delete a virtual cluster and revoke its tokens",
  description:
    "Topics and groups on the backing cluster are left in place. With backing ACLs, the vcluster's ACLs and SCRAM credential on the backing cluster are removed first; if that fails, the vcluster stays (502) and DELETE can be repeated.",
  request: { params: NameParams },
  responses: { 204: { description: "Deleted" }, ...errorResponses(400, 401, 404, 409, 502) },
});

export function registerVclusterRoutes(app: AdminApp, deps: AdminDeps): void {
  const bootstrap = bootstrapAddress(deps.config.listener);
  const staticUsers = deps.config.auth.users;

  const detail = (v: VclusterRecord) => ({
    ...v,
    backing: v.backing ? { username: v.backing.username, principal: backingPrincipal(v.backing.username) } : undefined,
    labels: v.labels ? { ...v.labels } : undefined,
    effectiveTopicPolicy: effectiveTopicPolicy(deps.config.topicPolicy, v.topicPolicy),
    effectiveQuotas: effectiveQuotas(deps.config.quotas, v.quotas),
    bootstrap,
    clientProperties: renderClientProperties({
      bootstrap,
      vcluster: v.name,
      username: "<username>",
      password: `<token from POST /v1/vclusters/${v.name}/tokens>`,
      comment: "example; replace username and password",
    }),
    serviceAccounts: [
      ...staticUsers.filter((u) => u.vcluster === v.name).map((u) => ({ username: u.username, auth: "password" as const })),
      ...deps.store.listServiceAccounts(v.name).map(({ username, auth, createdAt }) => ({ username, auth, createdAt })),
    ],
    tokens: deps.store.listTokens(v.name).map((t) => ({
      jti: t.jti,
      username: t.username,
      issuedAt: new Date(t.issuedAt * 1000).toISOString(),
      expiresAt: new Date(t.expiresAt * 1000).toISOString(),
    })),
  });

  app.openapi(listRoute, (c) => {
    const vclusters = deps.store.listVclusters().map((v) => ({ ...v, labels: v.labels ? { ...v.labels } : undefined }));
    return c.json({ vclusters }, 200);
  });

  app.openapi(getRoute, (c) => {
    const { name } = c.req.valid("param");
    const vcluster = deps.store.getVcluster(name);
    if (!vcluster) return c.json({ error: `vcluster "${name}" does not exist` }, 404);
    return c.json(detail(vcluster), 200);
  });

  app.openapi(putRoute, async (c) => {
    const { name } = c.req.valid("param");
    const body = c.req.valid("json") ?? {};
    const backing = await backingRequested(deps, name, body.backingAcls);
    const { vcluster, created } = await deps.store.putVcluster({
      name,
      prefix: body.prefix,
      labels: body.labels,
      topicPolicy: body.topicPolicy,
      quotas: body.quotas,
      backing,
      aclEnabled: body.aclEnabled,
      superUsers: body.superUsers,
    });
    if (backing) await provisionBacking(deps, vcluster, created);
    return created ? c.json(detail(vcluster), 201) : c.json(detail(vcluster), 200);
  });

  registerBackingAclRoutes(app, deps);

  app.openapi(deleteRoute, async (c) => {
    const { name } = c.req.valid("param");
    await removeBacking(deps, deps.store.getVcluster(name));
    await deps.store.deleteVcluster(name);
    return c.body(null, 204);
  });
}
