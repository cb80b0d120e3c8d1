import { createRoute } from "@hono/zod-openapi";
import { bootstrapAddress, renderClientProperties } from "../client-properties.ts";
import type { AdminDeps } from "../deps.ts";
import { CreateTokenBody, NameParams, TokenIdParams, TokenIssued } from "../schemas.ts";
import { type AdminApp, errorResponses } from "./common.ts";

const tags = ["tokens"];

const createTokenRoute = createRoute({
  method: "post",
  path: "/v1/vclusters/{name}/tokens",
  tags,
  summary: "Issue a client token (SASL/PLAIN password) for a user of the vcluster",
  request: {
    params: NameParams,
    body: { content: { "application/json": { schema: CreateTokenBody } }, required: true },
  },
  responses: {
    201: { description: "Issued", content: { "application/json": { schema: TokenIssued } } },
    ...errorResponses(400, 401, 404, 409, 413),
  },
});

const revokeTokenRoute = createRoute({
  method: "delete",
  path: "/v1/vclusters/{name}/tokens/{jti}",
  tags,
  summary: "Revoke a token by id",
  request: { params: TokenIdParams },
  responses: { 204: { description: "Revoked" }, ...errorResponses(400, 401, 404) },
});

export function registerTokenRoutes(app: AdminApp, deps: AdminDeps): void {
  const bootstrap = bootstrapAddress(deps.config.listener);

  app.openapi(createTokenRoute, async (c) => {
    const { name } = c.req.valid("param");
    const { username, lifetimeSeconds } = c.req.valid("json");
    if (!deps.store.getVcluster(name)) return c.json({ error: `vcluster "${name}" does not exist` }, 404);
    if (deps.config.auth.users.some((u) => u.username === username)) {
      // The gateway checks a static user's password first; a token for that name could never be used.
      return c.json({ error: `"${username}" is a static user in the configuration` }, 409);
    }
    const { token, claims } = await deps.signer.issue({
      username,
      vcluster: name,
      lifetimeSeconds: lifetimeSeconds ?? deps.config.auth.defaultTokenLifetimeSeconds,
      now: deps.clock(),
    });
    await deps.store.recordIssuedToken({
      jti: claims.jti,
      vcluster: name,
      username,
      issuedAt: claims.iat,
      expiresAt: claims.exp,
    });
    const expiresAt = new Date(claims.exp * 1000).toISOString();
    const clientProperties = renderClientProperties({
      bootstrap,
      tls: deps.config.listener.tls ? { truststore: deps.clientTruststore } : undefined,
      vcluster: name,
      username,
      password: token,
      comment: `user ${username}, token ${claims.jti}, expires ${expiresAt}`,
    });
    return c.json({ token, jti: claims.jti, vcluster: name, username, expiresAt, clientProperties }, 201);
  });

  app.openapi(revokeTokenRoute, async (c) => {
    const { name, jti } = c.req.valid("param");
    await deps.store.revokeToken(name, jti);
    return c.body(null, 204);
  });
}
