// Every error leaves the admin API as JSON {error, issues?} with a fitting status.
import type { Context, ErrorHandler, NotFoundHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { z } from "zod";
import { getLogger } from "../base/log.ts";
import { StoreError } from "../store/errors.ts";

const log = getLogger("admin");

const STORE_STATUS: Record<StoreError["code"], ContentfulStatusCode> = {
  invalid: 400,
  "not-found": 404,
  conflict: 409,
};

export function errorJson(c: Context, status: ContentfulStatusCode, error: string): Response {
  return c.json({ error }, status);
}

/** OpenAPIHono's defaultHook: a request that fails its zod schema gets 400 and the issue list. */
export function validationHook(
  result: { success: true } | { success: false; error: z.ZodError; target?: string },
  c: Context,
): Response | undefined {
  if (result.success) return undefined;
  const issues = result.error.issues.map((i) => ({
    path: i.path.map((p) => (typeof p === "number" ? p : String(p))),
    message: i.message,
    code: i.code,
  }));
  return c.json({ error: `invalid request ${result.target ?? "input"}`, issues }, 400);
}

export const onError: ErrorHandler = (error, c) => {
  if (error instanceof StoreError) return errorJson(c, STORE_STATUS[error.code], error.message);
  if (error instanceof HTTPException) return errorJson(c, error.status as ContentfulStatusCode, error.message || "request refused");
  log.error("admin request {method} {path} failed: {error}", { method: c.req.method, path: c.req.path, error });
  return errorJson(c, 500, "internal error");
};

export const onNotFound: NotFoundHandler = (c) => errorJson(c, 404, `no route ${c.req.method} ${c.req.path}`);
