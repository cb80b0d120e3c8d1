// Builds the Kafka gateway from the validated config.
import type { Config } from "./config/schema.ts";
import { Gateway } from "./gateway/gateway.ts";
import type { SessionObserver } from "./gateway/session.ts";
import type { SessionPolicy } from "./gateway/session-policy.ts";
import { PassthroughPolicy } from "./gateway/passthrough-policy.ts";
import type { ConnectionInfo } from "./gateway/gateway.ts";
import { parseHostPort } from "./client/upstream.ts";
import type { ListenerTls } from "./gateway/listener-tls.ts";
import type { Runtime, TlsClientOptions } from "./runtime/types.ts";

export interface GatewayWiring {
  backingTls?: TlsClientOptions;
  listenerTls?: ListenerTls;
  policyFor?(conn: ConnectionInfo): SessionPolicy;
  observer?: SessionObserver;
}

function advertisedHostOf(config: Config): string {
  const l = config.listener;
  return l.advertisedHost ?? (l.host === "0.0.0.0" || l.host === "::" ? "127.0.0.1" : l.host);
}

export function startGateway(runtime: Runtime, config: Config, wiring: GatewayWiring = {}): Promise<Gateway> {
  const l = config.listener;
  return Gateway.start({
    runtime,
    listenHost: l.host,
    bootstrapPort: l.port,
    advertisedHost: advertisedHostOf(config),
    brokerPortBase: l.brokerPortBase ?? l.port + 1,
    brokerPorts: Object.fromEntries(Object.entries(l.brokerPorts ?? {})),
    bootstrapServers: config.backing.bootstrapServers.map(parseHostPort),
    backingSasl: config.backing.sasl,
    backingTls: wiring.backingTls,
    sessionLimits: {
      maxFrameBytes: config.limits.maxFrameBytes,
      maxQueuedResponseBytes: config.limits.maxQueuedResponseBytes,
      maxInFlightRequests: config.limits.maxInFlightRequests,
      upstreamConnectTimeoutMs: config.limits.backingTimeoutMs,
    },
    maxConnections: config.limits.maxConnections,
    maxConnectionsPerAddress: config.limits.maxConnectionsPerAddress,
    authenticationTimeoutMs: config.limits.authenticationTimeoutMs,
    idleTimeoutMs: config.limits.connectionsMaxIdleMs,
    listenerTls: wiring.listenerTls,
    sni: l.sni,
    policyFor: wiring.policyFor ?? ((conn) => new PassthroughPolicy(conn.rewrites)),
    observer: wiring.observer,
  });
}
