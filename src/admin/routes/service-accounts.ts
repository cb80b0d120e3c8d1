// SCRAM service accounts: created and rotated through the admin API, stored as salted SCRAM keys
// (never the password), deleted with their tokens.
import { createRoute } from "@hono/zod-openapi";
import { randomSecret } from "../../auth/random.ts";
import { scramCredential } from "../../sasl/scram-server.ts";
import type { ScramMechanism } from "../../sasl/scram-primitives.ts";
import { bootstrapAddress, renderClientProperties } from "../client-properties.ts";
import type { AdminDeps } from "../deps.ts";
import { AccountParams, CreateServiceAccountBody, NameParams, ServiceAccountCreated } from "../schemas.ts";
import { type AdminApp, errorResponses } from "./common.ts";

const tags = ["service accounts"];

const createAccountRoute = createRoute({
  method: "post",
  path: "/v1/vclusters/{name}/service-accounts",
  tags,
  summary: "Create a SCRAM service account, or rotate its credentials",
  request: {
    params: NameParams,
    body: { content: { "application/json": { schema: CreateServiceAccountBody } }, required: true },
  },
  responses: {
    201: { description: "Created or rotated", content: { "application/json": { schema: ServiceAccountCreated } } },
    ...errorResponses(400, 401, 404, 409, 413),
  },
});

const deleteAccountRoute = createRoute({
  method: "delete",
  path: "/v1/vclusters/{name}/service-accounts/{username}",
  tags,
  summary: "Delete a service account (its credentials and tokens stop working at once)",
  request: { params: AccountParams },
  responses: { 204: { description: "Deleted" }, ...errorResponses(400, 401, 404) },
});

export function registerServiceAccountRoutes(app: AdminApp, deps: AdminDeps): void {
  const bootstrap = bootstrapAddress(deps.config.listener);

  app.openapi(createAccountRoute, async (c) => {
    const { name } = c.req.valid("param");
    const { username, password, mechanisms } = c.req.valid("json");
    if (!deps.store.getVcluster(name)) return c.json({ error: `vcluster "${name}" does not exist` }, 404);
    if (deps.config.auth.users.some((u) => u.username === username)) {
      return c.json({ error: `"${username}" is a static user in the configuration` }, 409);
    }
    const chosen: ScramMechanism[] = mechanisms ?? ["SCRAM-SHA-256", "SCRAM-SHA-512"];
    const secret = password ?? randomSecret(24);
    const iterations = deps.config.auth.scramIterations;
    const scram: Partial<Record<ScramMechanism, Awaited<ReturnType<typeof scramCredential>>>> = {};
    for (const m of chosen) scram[m] = await scramCredential(m, secret, iterations);
    const existed = deps.store.listServiceAccounts(name).some((a) => a.username === username && a.scram);
    await deps.store.putScramAccount({ vcluster: name, username, scram });
    const login = `${username}@${name}`;
    const mechanism = chosen.includes("SCRAM-SHA-512") ? "SCRAM-SHA-512" : "SCRAM-SHA-256";
    const clientProperties = renderClientProperties({
      bootstrap,
      tls: deps.config.listener.tls ? { truststore: deps.clientTruststore } : undefined,
      vcluster: name,
      username: login,
      password: secret,
      mechanism,
      comment: `service account ${username}`,
    });
    return c.json({
      vcluster: name,
      username,
      login,
      mechanisms: chosen,
      password: password === undefined ? secret : undefined,
      rotated: existed,
      clientProperties,
    }, 201);
  });

  app.openapi(deleteAccountRoute, async (c) => {
    const { name, username } = c.req.valid("param");
    await deps.store.deleteServiceAccount(name, username);
    return c.body(null, 204);
  });
}
