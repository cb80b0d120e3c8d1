// Every admin API change (any method but GET/HEAD) is an audit event, with its outcome and a
// request id the response carries too (X-Request-Id; a caller's own id is kept).
import type { MiddlewareHandler } from "hono";
import type { AuditTrail } from "../audit/audit-trail.ts";

export function auditAdminChanges(audit: AuditTrail): MiddlewareHandler {
  return async (c, next) => {
    if (c.req.method === "GET" || c.req.method === "HEAD" || !audit.enabled) return next();
    const requestId = c.req.header("x-request-id") ?? crypto.randomUUID();
    await next();
    c.header("X-Request-Id", requestId);
    const vcluster = /^\/v1\/vclusters\/([^/]+)/.exec(c.req.path)?.[1];
    audit.record({
      actor: "admin",
      vcluster,
      action: `admin ${c.req.method} ${c.req.routePath}`,
      resource: c.req.path,
      outcome: c.res.status < 400 ? "success" : "failure",
      detail: `HTTP ${c.res.status}`,
      requestId,
    });
  };
}
