// Cluster mode (`listener.advertise: cluster`): this node joins the others in the cluster topic,
// listens for every backing broker (so any node can serve any broker), and tells clients to reach
// each broker at the node rendezvous hashing places it on. One client's connections then spread
// over the cluster; when a node dies, the next metadata moves its brokers to the survivors.
import type { Config } from "../config/schema.ts";
import type { Gateway } from "../gateway/gateway.ts";
import type { BackingAddress } from "../gateway/broker-directory.ts";
import { parseHostPort } from "../client/upstream.ts";
import { defaultMetadataRequest } from "../protocol/messages/metadata-request.ts";
import type { MetadataResponse } from "../protocol/messages/metadata-response.ts";
import type { Runtime, TlsClientOptions } from "../runtime/types.ts";
import type { MetadataLookup } from "../client/lookup.ts";
import { placeBroker } from "./broker-placement.ts";
import { ClusterMembership } from "./membership.ts";
import { brokerPortOf, type NodeAnnouncement } from "./node-announcement.ts";

/** How often the backing brokers are listed, so a new broker gets its listener on every node. */
const BROKER_REFRESH_MS = 10_000;
const METADATA = { key: 3, version: 12 } as const;

export interface ClusterMode {
  readonly nodeId: string;
  readonly membership: ClusterMembership;
  /** Broker id -> node id, as this node advertises them now. */
  placement(): Map<number, string>;
  stop(): Promise<void>;
}

export interface ClusterModeOptions {
  readonly runtime: Runtime;
  readonly config: Config;
  readonly gateway: Gateway;
  readonly backingTls?: TlsClientOptions;
  readonly lookup: MetadataLookup;
  readonly build: { version: string; runtime: string };
  readonly log: (level: "info" | "warn", line: string) => void;
}

function clusterNodeId(config: Config): string {
  return config.cluster.nodeId ?? `${config.listener.advertisedHost}:${config.listener.port}`;
}

export async function startClusterMode(o: ClusterModeOptions): Promise<ClusterMode> {
  const { config, gateway } = o;
  const nodeId = clusterNodeId(config);
  const l = config.listener;
  const announcement = (): NodeAnnouncement => ({
    v: 1,
    advertisedHost: l.advertisedHost,
    bootstrapPort: l.port,
    brokerPortBase: l.brokerPortBase ?? l.port + 1,
    brokerPorts: Object.fromEntries(Object.entries(l.brokerPorts ?? {})),
    version: o.build.version,
    runtime: o.build.runtime,
    sentAt: Date.now(),
  });
  const membership = await ClusterMembership.start({
    runtime: o.runtime,
    bootstrap: config.backing.bootstrapServers.map(parseHostPort),
    sasl: config.backing.sasl,
    tls: o.backingTls,
    topic: config.cluster.topic,
    nodeId,
    announcement,
    heartbeatMs: config.cluster.heartbeatMs,
    expiryMs: config.cluster.expiryMs,
    log: o.log,
  });
  const placedAt = (brokerId: number): BackingAddress | undefined => {
    const node = placeBroker(brokerId, membership.live);
    if (node === undefined || node === nodeId) return undefined;
    const a = membership.announcementOf(node);
    return a ? { host: a.advertisedHost, port: brokerPortOf(a, brokerId) } : undefined;
  };
  gateway.brokers.placeBrokers(placedAt);

  const openBrokerListeners = async () => {
    try {
      const res = (await o.lookup(METADATA.key, METADATA.version, { ...defaultMetadataRequest(), topics: [] })) as MetadataResponse;
      for (const b of res.brokers) await gateway.brokers.advertise(b.nodeId, b.host, b.port);
    } catch (e) {
      o.log("warn", `cluster: listing the backing brokers failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  };
  await openBrokerListeners();
  const timer = setInterval(() => void openBrokerListeners(), BROKER_REFRESH_MS);
  const placement = () => new Map(gateway.brokers.knownBrokers().map((id) => [id, placeBroker(id, membership.live) ?? nodeId]));
  membership.onChange(() => {
    const text = [...placement()].map(([broker, node]) => `${broker}@${node}`).join(", ");
    o.log("info", `cluster: brokers now advertised at ${text || "(none known yet)"}`);
  });
  return {
    nodeId,
    membership,
    placement,
    async stop() {
      clearInterval(timer);
      gateway.brokers.placeBrokers(undefined);
      await membership.stop();
    },
  };
}
