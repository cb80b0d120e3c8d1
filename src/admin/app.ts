import { OpenAPIHono } from "@hono/zod-openapi";
import { Scalar } from "@scalar/hono-api-reference";
import { VERSION } from "../base/version.ts";
import type { AdminDeps } from "./deps.ts";
import { registerVclusterLiveRoutes } from "./routes/vcluster-live.ts";
import { registerGatewayStatusRoute } from "./routes/gateway-status.ts";
import { CONSOLE_OPEN_PATHS, registerConsoleRoutes } from "./console/console-routes.tsx";
import { onError, onNotFound, validationHook } from "./errors.ts";
import { bodyAsJson, limitBody, requireAdminToken } from "./middleware.ts";
import { OAUTH_TOKEN_PATH, registerOAuthTokenRoute } from "./routes/oauth-token.ts";
import { registerOperationRoutes } from "./routes/operations.ts";
import { auditAdminChanges } from "./audit-middleware.ts";
import { registerServiceAccountRoutes } from "./routes/service-accounts.ts";
import { registerTokenRoutes } from "./routes/tokens.ts";
import { registerVclusterRoutes } from "./routes/vclusters.ts";
import { registerAclRoutes } from "./routes/acls.ts";

const OPENAPI_PATH = "/openapi.json";
const DOCS_PATH = "/docs";

/**
 * The admin API as a Web-standard fetch handler (`app.fetch`), free of runtime specifics:
 * serve it with `runtime.serveHttp(opts, app.fetch)`; tests call `app.request(...)`.
 */
export function createAdminApp(deps: AdminDeps): OpenAPIHono {
  const app = new OpenAPIHono({ defaultHook: validationHook });
  app.onError(onError);
  app.notFound(onNotFound);

  // The token endpoint is for Kafka clients, not admins: it checks their own credentials. The
  // console's page is a login form without data; its views need the token.
  const openPaths = new Set(["/healthz", OAUTH_TOKEN_PATH, ...CONSOLE_OPEN_PATHS, ...(deps.config.admin.publicDocs ? [OPENAPI_PATH, DOCS_PATH] : [])]);
  app.use("*", requireAdminToken(deps.adminToken, openPaths));
  app.use("/v1/*", limitBody(deps.config.limits.adminBodyBytes), bodyAsJson);
  if (deps.audit) app.use("/v1/*", auditAdminChanges(deps.audit));

  registerVclusterRoutes(app, deps);
  registerTokenRoutes(app, deps);
  registerServiceAccountRoutes(app, deps);
  registerAclRoutes(app, deps);
  registerOperationRoutes(app, deps);
  registerOAuthTokenRoute(app, deps);
  registerVclusterLiveRoutes(app, deps);
  registerGatewayStatusRoute(app, deps);
  registerConsoleRoutes(app, deps);

  app.openAPIRegistry.registerComponent("securitySchemes", "adminToken", {
    type: "http",
    scheme: "bearer",
    description: "admin.token from the config, KGATE_ADMIN_TOKEN, or the token kgate generated into its store",
  });
  const documentConfig = {
    openapi: "3.1.0",
    info: { title: "kgate admin API", version: VERSION, description: "Virtual clusters and client tokens of a kgate gateway" },
    security: [{ adminToken: [] }],
  };
  app.doc31(OPENAPI_PATH, documentConfig);
  // The document is embedded in the page, so the reference needs no second (authenticated) fetch.
  app.get(DOCS_PATH, Scalar({ pageTitle: "kgate admin API", content: () => app.getOpenAPI31Document(documentConfig) }));
  return app;
}
