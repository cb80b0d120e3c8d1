import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import type { AdminDeps } from "../deps.ts";
import { Health } from "../schemas.ts";
import { type AdminApp, errorResponses } from "./common.ts";

const tags = ["operations"];

const healthRoute = createRoute({
  method: "get",
  path: "/healthz",
  tags,
  summary: "Liveness (no token needed)",
  security: [],
  responses: { 200: { description: "Serving", content: { "application/json": { schema: Health } } } },
});

const metricsRoute = createRoute({
  method: "get",
  path: "/metrics",
  tags,
  summary: "Prometheus metrics",
  responses: {
    200: { description: "Prometheus text exposition format 0.0.4", content: { "text/plain": { schema: z.string() } } },
    ...errorResponses(401),
  },
});

export function registerOperationRoutes(app: AdminApp, deps: AdminDeps): void {
  app.openapi(healthRoute, (c) => c.json({ status: "ok" as const }, 200));

  app.openapi(metricsRoute, (c) => c.text(deps.metrics.render(), 200, { "content-type": "text/plain; version=0.0.4; charset=utf-8" }));
}
