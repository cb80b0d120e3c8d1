// The gateway's own health for operators and the console: build, listeners, the backing
// cluster as kgate reaches it now (brokers and the kgate port serving each), and the store.
import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import type { Config } from "../../config/schema.ts";
import { COMMIT, VERSION } from "../../base/version.ts";
import type { AdminDeps } from "../deps.ts";
import { type AdminApp, errorResponses } from "./common.ts";

const Broker = z.object({
  nodeId: z.number(),
  host: z.string(),
  port: z.number(),
  rack: z.string().nullable(),
  kgateAddress: z.string().openapi({ description: "Where kgate serves this broker to clients" }),
});

export const GatewayStatus = z.object({
  version: z.string(),
  commit: z.string(),
  runtime: z.string(),
  uptimeSeconds: z.number(),
  tenancyBegan: z.boolean().openapi({ description: "Whether the store has ever held a vcluster (until then kgate can be a transparent proxy)" }),
  listener: z.object({
    bootstrap: z.string(),
    advertisedHost: z.string(),
    tls: z.boolean(),
    clientAuth: z.string(),
    sni: z.string().nullable().openapi({ description: "The advertised domain with SNI routing" }),
    brokerPorts: z.string().openapi({ description: "How broker ports are assigned" }),
    anonymous: z.string().nullable(),
    pinnedVcluster: z.string().nullable(),
  }),
  admin: z.object({ address: z.string(), tls: z.boolean() }),
  backing: z.object({
    bootstrapServers: z.array(z.string()),
    sasl: z.string().nullable().openapi({ description: "The SASL mechanism kgate logs in with" }),
    tls: z.boolean(),
    reachable: z.boolean(),
    error: z.string().nullable(),
    clusterId: z.string().nullable(),
    controllerId: z.number().nullable(),
    roundTripMs: z.number().nullable(),
    brokers: z.array(Broker),
  }),
  store: z.object({
    type: z.string(),
    location: z.string().openapi({ description: "The file, or the topic on the backing cluster" }),
    vclusters: z.number(),
  }),
}).openapi("GatewayStatus");

const statusRoute = createRoute({
  method: "get",
  path: "/v1/gateway",
  tags: ["operations"],
  summary: "The gateway's health: build, listeners, backing brokers, store",
  responses: { 200: { description: "Status", content: { "application/json": { schema: GatewayStatus } } }, ...errorResponses(401) },
});

function brokerAddress(config: Config, nodeId: number): string {
  const l = config.listener;
  if (l.sni) return `b${nodeId}.${l.sni.advertisedDomain}:${l.port}`;
  const port = l.brokerPorts?.[String(nodeId)] ?? (l.brokerPortBase ?? l.port + 1) + nodeId;
  return `${l.advertisedHost ?? l.host}:${port}`;
}

export function registerGatewayStatusRoute(app: AdminApp, deps: AdminDeps): void {
  const startedAt = deps.clock();
  app.openapi(statusRoute, async (c) => {
    const { config, store } = deps;
    const l = config.listener;
    let cluster = null;
    let error: string | null = deps.inventory ? null : "no backing cluster connection in this process";
    if (deps.inventory) {
      try {
        cluster = await deps.inventory.cluster();
      } catch (e) {
        error = (e as Error).message;
      }
    }
    return c.json({
      version: VERSION,
      commit: COMMIT,
      runtime: deps.runtimeName ?? "unknown",
      uptimeSeconds: Math.round((deps.clock() - startedAt) / 1000),
      tenancyBegan: store.tenancyBegan(),
      listener: {
        bootstrap: `${l.host}:${l.port}`,
        advertisedHost: l.advertisedHost ?? l.host,
        tls: l.tls !== undefined,
        clientAuth: l.tls?.clientAuth ?? "none",
        sni: l.sni?.advertisedDomain ?? null,
        brokerPorts: l.sni
          ? `every broker on ${l.port}, by SNI name`
          : `${l.brokerPortBase ?? l.port + 1} + node id${l.brokerPorts && Object.keys(l.brokerPorts).length ? " (some set explicitly)" : ""}`,
        anonymous: l.anonymous ?? null,
        pinnedVcluster: l.pinnedVcluster ?? null,
      },
      admin: { address: `${config.admin.host}:${config.admin.port}`, tls: config.admin.tls !== undefined },
      backing: {
        bootstrapServers: [...config.backing.bootstrapServers],
        sasl: config.backing.sasl?.mechanism ?? null,
        tls: config.backing.tls !== undefined,
        reachable: cluster !== null,
        error,
        clusterId: cluster?.clusterId ?? null,
        controllerId: cluster?.controllerId ?? null,
        roundTripMs: cluster?.roundTripMs ?? null,
        brokers: (cluster?.brokers ?? []).map((b) => ({ ...b, kgateAddress: brokerAddress(config, b.nodeId) })),
      },
      store: {
        type: config.store.type,
        location: config.store.type === "kafka" ? `topic ${config.store.topic}` : config.store.path,
        vclusters: store.listVclusters().length,
      },
    }, 200);
  });
}
