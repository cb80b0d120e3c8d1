// What one vcluster is doing now, for the console and for scripts: a short history of its
// connection count and rates, and its topics and groups as its tenant sees them (read from
// the backing cluster with kgate's own client).
import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import type { AdminDeps } from "../deps.ts";
import { NameParams } from "../schemas.ts";
import { type AdminApp, errorResponses } from "./common.ts";

const tags = ["vclusters"];

const LivePoint = z.object({
  at: z.number().openapi({ description: "Milliseconds since the epoch at the end of the interval" }),
  connections: z.number(),
  bytesInPerSecond: z.number().openapi({ description: "From clients (produce, mostly)" }),
  bytesOutPerSecond: z.number().openapi({ description: "To clients (fetch, mostly)" }),
  requestsPerSecond: z.number(),
  produceRequestsPerSecond: z.number(),
  fetchRequestsPerSecond: z.number(),
  gatewayErrorsPerSecond: z.number().openapi({ description: "Gateway-wide: failed connections and refused logins" }),
  errorsPerSecond: z.number().nullable().openapi({ description: "The vcluster's own errors; null while kgate has no per-vcluster error metric" }),
  throttleMsPerSecond: z.number().nullable().openapi({
    description: "Throttle time handed to the vcluster's clients, ms per second; null while kgate has no throttle-time metric for it",
  }),
});

export const VclusterLive = z.object({
  vcluster: z.string(),
  intervalMs: z.number(),
  points: z.array(LivePoint).openapi({ description: "Oldest first; the last few minutes" }),
}).openapi("VclusterLive");

export const VclusterTopics = z.object({
  vcluster: z.string(),
  topics: z.array(z.object({ name: z.string(), topicId: z.string(), partitions: z.number(), replicationFactor: z.number(), errorCode: z.number() })),
}).openapi("VclusterTopics");

export const VclusterGroups = z.object({
  vcluster: z.string(),
  groups: z.array(z.object({ groupId: z.string(), state: z.string(), protocolType: z.string(), coordinator: z.number() })),
  unreachableBrokers: z.array(z.number()).openapi({ description: "Brokers whose groups could not be listed" }),
}).openapi("VclusterGroups");

const BackingUnavailable = {
  503: { description: "The backing cluster did not answer", content: { "application/json": { schema: z.object({ error: z.string() }) } } },
};

const liveRoute = createRoute({
  method: "get",
  path: "/v1/vclusters/{name}/live",
  tags,
  summary: "Connections and rates of the last minutes (sampled every few seconds)",
  request: { params: NameParams },
  responses: { 200: { description: "History", content: { "application/json": { schema: VclusterLive } } }, ...errorResponses(400, 401, 404) },
});

const topicsRoute = createRoute({
  method: "get",
  path: "/v1/vclusters/{name}/topics",
  tags,
  summary: "The vcluster's topics, named as its tenant sees them",
  request: { params: NameParams },
  responses: {
    200: { description: "Topics", content: { "application/json": { schema: VclusterTopics } } },
    ...errorResponses(400, 401, 404),
    ...BackingUnavailable,
  },
});

const groupsRoute = createRoute({
  method: "get",
  path: "/v1/vclusters/{name}/groups",
  tags,
  summary: "The vcluster's consumer groups, named as its tenant sees them",
  request: { params: NameParams },
  responses: {
    200: { description: "Groups", content: { "application/json": { schema: VclusterGroups } } },
    ...errorResponses(400, 401, 404),
    ...BackingUnavailable,
  },
});

const unavailable = (e: unknown) => ({ error: `the backing cluster did not answer: ${(e as Error).message}` });

export function registerVclusterLiveRoutes(app: AdminApp, deps: AdminDeps): void {
  const missing = (name: string) => ({ error: `vcluster "${name}" does not exist` });

  app.openapi(liveRoute, (c) => {
    const { name } = c.req.valid("param");
    if (!deps.store.getVcluster(name)) return c.json(missing(name), 404);
    const live = deps.liveStats;
    return c.json({ vcluster: name, intervalMs: live?.sampleIntervalMs ?? 0, points: [...(live?.points(name) ?? [])] }, 200);
  });

  app.openapi(topicsRoute, async (c) => {
    const { name } = c.req.valid("param");
    const v = deps.store.getVcluster(name);
    if (!v) return c.json(missing(name), 404);
    if (!deps.inventory) return c.json({ error: "no backing cluster connection in this process" }, 503);
    try {
      return c.json({ vcluster: name, topics: await deps.inventory.topics(v.prefix) }, 200);
    } catch (e) {
      return c.json(unavailable(e), 503);
    }
  });

  app.openapi(groupsRoute, async (c) => {
    const { name } = c.req.valid("param");
    const v = deps.store.getVcluster(name);
    if (!v) return c.json(missing(name), 404);
    if (!deps.inventory) return c.json({ error: "no backing cluster connection in this process" }, 503);
    try {
      const { groups, unreachable } = await deps.inventory.groups(v.prefix);
      return c.json({ vcluster: name, groups, unreachableBrokers: unreachable }, 200);
    } catch (e) {
      return c.json(unavailable(e), 503);
    }
  });
}
