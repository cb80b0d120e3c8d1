import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { constantTimeEqual } from "../auth/constant-time.ts";
import { errorJson } from "./errors.ts";

/** `Authorization: Bearer <admin token>` on every path not in `openPaths`. */
export function requireAdminToken(adminToken: string, openPaths: ReadonlySet<string>): MiddlewareHandler {
  return async (c, next) => {
    if (openPaths.has(c.req.path)) return next();
    const match = /^Bearer\s+(\S+)\s*$/i.exec(c.req.header("authorization") ?? "");
    if (!match || !constantTimeEqual(match[1]!, adminToken)) {
      c.header("WWW-Authenticate", 'Bearer realm="kgate-admin"');
      return errorJson(c, 401, match ? "invalid admin token" : "missing Authorization: Bearer <admin token>");
    }
    return next();
  };
}

export function limitBody(maxBytes: number): MiddlewareHandler {
  return bodyLimit({ maxSize: maxBytes, onError: (c) => errorJson(c, 413, `request body exceeds ${maxBytes} bytes`) });
}

/**
 * Read every request body as JSON whatever its Content-Type, and treat an empty body as none.
 * `curl -d '{…}'` sends application/x-www-form-urlencoded, and the README's examples must
 * work as written. No CSRF risk: every such route also needs the bearer header, which a
 * cross-site form cannot send.
 */
export const bodyAsJson: MiddlewareHandler = async (c, next) => {
  const raw = c.req.raw;
  // No body but a JSON content type (e.g. `curl -X PUT -H 'content-type: application/json'`)
  // must not fail as malformed JSON.
  const text = raw.body === null ? "" : await raw.text();
  const headers = new Headers(raw.headers);
  headers.delete("content-length");
  const hasBody = text.trim() !== "";
  if (hasBody) headers.set("content-type", "application/json");
  else headers.delete("content-type");
  // No `signal`: reading it makes Deno.serve warn on every request, and the body is read already.
  c.req.raw = new Request(raw.url, { method: raw.method, headers, body: hasBody ? text : undefined });
  return next();
};
