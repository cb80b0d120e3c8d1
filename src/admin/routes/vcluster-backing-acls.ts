// GET /v1/vclusters/{name}/backing-acls: the ACLs the backing cluster holds for a vcluster's
// backing principal, read live with DescribeAcls, against the layout kgate created. `missing`
// (someone deleted one: clients get authorization errors) and `unexpected` (someone granted more:
// the wall is lower) show drift; PUT with "backingAcls": true restores the layout's ACLs.
import { createRoute, z } from "@hono/zod-openapi";
import { HTTPException } from "hono/http-exception";
import { BackingAclError } from "../../backing/provisioner.ts";
import { backingPrincipal } from "../../backing/tenant-credentials.ts";
import { type AclBinding, operationName, patternTypeName, permissionName, resourceTypeName } from "../../model/acl-model.ts";
import type { AdminDeps } from "../deps.ts";
import { NameParams } from "../schemas.ts";
import { type AdminApp, errorResponses } from "./common.ts";

const Acl = z.object({
  resourceType: z.string().openapi({ example: "TOPIC" }),
  resourceName: z.string().openapi({ example: "vc-alice." }),
  patternType: z.string().openapi({ example: "PREFIXED" }),
  operation: z.string().openapi({ example: "READ" }),
  permission: z.string().openapi({ example: "ALLOW" }),
  host: z.string().openapi({ example: "*" }),
}).openapi("BackingAcl");

const BackingAcls = z.object({
  vcluster: z.string(),
  principal: z.string().openapi({ example: "User:kgate-vc-vc-alice" }),
  acls: z.array(Acl).openapi({ description: "What the backing cluster holds for the principal" }),
  missing: z.array(Acl).openapi({ description: "In kgate's layout but not on the backing cluster" }),
  unexpected: z.array(Acl).openapi({ description: "On the backing cluster but not in kgate's layout" }),
}).openapi("BackingAcls");

const route = createRoute({
  method: "get",
  path: "/v1/vclusters/{name}/backing-acls",
  tags: ["vclusters"],
  summary: "The backing cluster's ACLs for a vcluster's backing principal, against kgate's layout",
  request: { params: NameParams },
  responses: {
    200: { description: "The ACLs, read from the backing cluster", content: { "application/json": { schema: BackingAcls } } },
    ...errorResponses(400, 401, 404, 409, 502),
  },
});

function shown(b: AclBinding): z.infer<typeof Acl> {
  return {
    resourceType: resourceTypeName(b.resourceType),
    resourceName: b.resourceName,
    patternType: patternTypeName(b.patternType),
    operation: operationName(b.operation),
    permission: permissionName(b.permissionType),
    host: b.host,
  };
}

const keyOf = (b: AclBinding) => [b.resourceType, b.resourceName, b.patternType, b.principal, b.host, b.operation, b.permissionType].join("\n");

export function registerBackingAclRoutes(app: AdminApp, deps: AdminDeps): void {
  app.openapi(route, async (c) => {
    const { name } = c.req.valid("param");
    const v = deps.store.getVcluster(name);
    if (!v) return c.json({ error: `vcluster "${name}" does not exist` }, 404);
    if (!v.backing) throw new HTTPException(409, { message: `vcluster "${name}" has no backing ACLs` });
    if (!deps.backingAcls) throw new HTTPException(409, { message: "backing ACLs are not available in this kgate" });
    let held: AclBinding[];
    try {
      held = await deps.backingAcls.describe(v);
    } catch (e) {
      throw new HTTPException(e instanceof BackingAclError ? e.status : 502, { message: (e as Error).message });
    }
    const expected = deps.backingAcls.bindingsFor(v);
    const heldKeys = new Set(held.map(keyOf));
    const expectedKeys = new Set(expected.map(keyOf));
    return c.json({
      vcluster: name,
      principal: backingPrincipal(v.backing.username),
      acls: held.map(shown),
      missing: expected.filter((b) => !heldKeys.has(keyOf(b))).map(shown),
      unexpected: held.filter((b) => !expectedKeys.has(keyOf(b))).map(shown),
    }, 200);
  });
}
