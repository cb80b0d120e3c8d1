import { OpenAPIHono } from "@hono/zod-openapi";
import { ErrorBody } from "../schemas.ts";

export type AdminApp = OpenAPIHono;

const ERROR_DESCRIPTIONS = {
  400: "Invalid name or body; `issues` lists each problem",
  401: "Missing or wrong admin token",
  404: "No such vcluster or token",
  409: "Conflicts with an existing vcluster (reserved name, overlapping or colliding prefix)",
  413: "Request body too large",
  502: "The backing cluster refused or did not answer (backing ACLs); `error` says why",
} as const;

type ErrorStatus = keyof typeof ERROR_DESCRIPTIONS;

/** OpenAPI response entries for the listed error statuses, all with the shared error body. */
export function errorResponses<S extends ErrorStatus>(...statuses: S[]) {
  return Object.fromEntries(
    statuses.map((s) => [s, { description: ERROR_DESCRIPTIONS[s], content: { "application/json": { schema: ErrorBody } } }]),
  ) as unknown as { [K in S]: { description: string; content: { "application/json": { schema: typeof ErrorBody } } } };
}
