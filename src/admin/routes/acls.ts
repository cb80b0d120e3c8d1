// A vcluster's ACLs through the admin API: listed, created and deleted in the tenant's names,
// the same records the Kafka ACL APIs manage through kgate. Each change is an audit event.
import { createRoute, z } from "@hono/zod-openapi";
import type { AclRecord } from "../../store/records.ts";
import { describeBinding } from "../../vcluster/acl/acl-apis.ts";
import {
  type AclBinding,
  type AclFilter,
  operationCode,
  operationName,
  patternTypeCode,
  patternTypeName,
  permissionCode,
  permissionName,
  resourceTypeCode,
  resourceTypeName,
} from "../../model/acl-model.ts";
import type { AdminDeps } from "../deps.ts";
import { NameParams } from "../schemas.ts";
import { type AdminApp, errorResponses } from "./common.ts";

const tags = ["acls"];
const ResourceType = z.enum(["TOPIC", "GROUP", "CLUSTER", "TRANSACTIONAL_ID"]);
const Operation = z.enum([
  "ALL",
  "READ",
  "WRITE",
  "CREATE",
  "DELETE",
  "ALTER",
  "DESCRIBE",
  "CLUSTER_ACTION",
  "DESCRIBE_CONFIGS",
  "ALTER_CONFIGS",
  "IDEMPOTENT_WRITE",
]);

const Acl = z
  .strictObject({
    resourceType: ResourceType,
    resourceName: z.string().min(1).max(1024).openapi({
      description: "The tenant's own name; `*` with LITERAL for every resource; `kafka-cluster` for CLUSTER",
      example: "orders",
    }),
    patternType: z.enum(["LITERAL", "PREFIXED"]).default("LITERAL"),
    principal: z.string().openapi({ example: "User:bob" }),
    host: z.string().default("*"),
    operation: Operation,
    permissionType: z.enum(["ALLOW", "DENY"]).default("ALLOW"),
  })
  .openapi("Acl");

const AclFilterBody = z
  .strictObject({
    resourceType: z.enum(["ANY", "TOPIC", "GROUP", "CLUSTER", "TRANSACTIONAL_ID"]).default("ANY"),
    resourceName: z.string().nullable().default(null),
    patternType: z.enum(["ANY", "MATCH", "LITERAL", "PREFIXED"]).default("ANY"),
    principal: z.string().nullable().default(null),
    host: z.string().nullable().default(null),
    operation: z.enum(["ANY", ...Operation.options]).default("ANY"),
    permissionType: z.enum(["ANY", "ALLOW", "DENY"]).default("ANY"),
  })
  .openapi("AclFilter", { description: "Fields left out match any ACL (as `kafka-acls --remove` filters)" });

const AclList = z.object({ acls: z.array(Acl) }).openapi("AclList");
const CreateAclsBody = z.strictObject({ acls: z.array(Acl).min(1).max(100) }).openapi("CreateAclsRequest");

const listRoute = createRoute({
  method: "get",
  path: "/v1/vclusters/{name}/acls",
  tags,
  summary: "List the vcluster's ACLs (tenant names)",
  request: { params: NameParams },
  responses: { 200: { description: "The ACLs", content: { "application/json": { schema: AclList } } }, ...errorResponses(400, 401, 404) },
});

const createAclsRoute = createRoute({
  method: "post",
  path: "/v1/vclusters/{name}/acls",
  tags,
  summary: "Create ACLs in the vcluster (creating one that exists changes nothing)",
  request: { params: NameParams, body: { content: { "application/json": { schema: CreateAclsBody } }, required: true } },
  responses: {
    201: { description: "Created; the vcluster's ACLs now", content: { "application/json": { schema: AclList } } },
    ...errorResponses(400, 401, 404, 413),
  },
});

const deleteAclsRoute = createRoute({
  method: "delete",
  path: "/v1/vclusters/{name}/acls",
  tags,
  summary: "Delete the vcluster's ACLs matching a filter",
  request: { params: NameParams, body: { content: { "application/json": { schema: AclFilterBody } }, required: false } },
  responses: {
    200: { description: "The ACLs deleted", content: { "application/json": { schema: AclList } } },
    ...errorResponses(400, 401, 404, 413),
  },
});

function toBinding(a: z.output<typeof Acl>): AclBinding {
  return {
    resourceType: resourceTypeCode(a.resourceType)!,
    resourceName: a.resourceName,
    patternType: patternTypeCode(a.patternType)!,
    principal: a.principal,
    host: a.host,
    operation: operationCode(a.operation)!,
    permissionType: permissionCode(a.permissionType)!,
  };
}

function aclJson(a: AclBinding | AclRecord) {
  return {
    resourceType: resourceTypeName(a.resourceType) as z.output<typeof ResourceType>,
    resourceName: a.resourceName,
    patternType: patternTypeName(a.patternType) as "LITERAL" | "PREFIXED",
    principal: a.principal,
    host: a.host,
    operation: operationName(a.operation) as z.output<typeof Operation>,
    permissionType: permissionName(a.permissionType) as "ALLOW" | "DENY",
  };
}

export function registerAclRoutes(app: AdminApp, deps: AdminDeps): void {
  const audit = (vcluster: string, action: string, b: AclBinding, outcome: "success" | "failure", detail?: string) =>
    deps.audit?.record({ actor: "admin", vcluster, action, resource: describeBinding(b), outcome, detail });

  app.openapi(listRoute, (c) => {
    const { name } = c.req.valid("param");
    if (!deps.store.getVcluster(name)) return c.json({ error: `vcluster "${name}" does not exist` }, 404);
    return c.json({ acls: deps.store.listAcls(name).map(aclJson) }, 200);
  });

  app.openapi(createAclsRoute, async (c) => {
    const { name } = c.req.valid("param");
    const bindings = c.req.valid("json").acls.map(toBinding);
    const results = await deps.store.createAcls(name, bindings);
    results.forEach((r, i) => audit(name, "acl.create", bindings[i]!, r.ok ? "success" : "failure", r.ok ? undefined : r.problem));
    const problems = results.flatMap((r, i) => (r.ok ? [] : [{ path: ["acls", i], message: r.problem, code: "custom" }]));
    if (problems.length > 0) return c.json({ error: "some ACLs were refused (the others were created)", issues: problems }, 400);
    return c.json({ acls: deps.store.listAcls(name).map(aclJson) }, 201);
  });

  app.openapi(deleteAclsRoute, async (c) => {
    const { name } = c.req.valid("param");
    const f = AclFilterBody.parse(c.req.valid("json") ?? {});
    const filter: AclFilter = {
      resourceType: resourceTypeCode(f.resourceType)!,
      resourceName: f.resourceName,
      patternType: patternTypeCode(f.patternType)!,
      principal: f.principal,
      host: f.host,
      operation: operationCode(f.operation)!,
      permissionType: permissionCode(f.permissionType)!,
    };
    const [deleted = []] = await deps.store.deleteAcls(name, [filter]);
    for (const b of deleted) audit(name, "acl.delete", b, "success");
    return c.json({ acls: deleted.map(aclJson) }, 200);
  });
}
