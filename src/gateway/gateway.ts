// The Kafka side of kgate: the bootstrap listener, one listener per backing broker (or, with SNI
// routing, one TLS port for all of them), and a session per client connection.
import type { SaslCredentials } from "../client/sasl-login.ts";
import { connectionFields, getLogger } from "../base/log.ts";
import type { Duplex, Runtime, TcpListener, TlsClientOptions } from "../runtime/types.ts";
import { type BackingAddress, BrokerDirectory } from "./broker-directory.ts";
import { ResponseRewrites } from "./passthrough-policy.ts";
import { describe, Session, type SessionLimits, type SessionObserver, type UpstreamState } from "./session.ts";
import type { SessionPolicy } from "./session-policy.ts";
import type { ListenerTls } from "./listener-tls.ts";
import { SniNames, type SniSettings } from "./sni-names.ts";
import { connectUpstream } from "../client/upstream.ts";

const log = getLogger("gateway");
const PASSTHROUGH_VIEW = "passthrough";

export interface GatewayOptions {
  runtime: Runtime;
  listenHost: string;
  bootstrapPort: number;
  advertisedHost: string;
  brokerPortBase: number;
  brokerPorts: Record<string, number>;
  bootstrapServers: readonly BackingAddress[];
  backingSasl?: SaslCredentials;
  backingTls?: TlsClientOptions;
  /** Per-connection bounds (frame size, unread responses, in-flight requests, backing connect time). */
  sessionLimits: SessionLimits;
  /** Connections beyond this (open or being set up) are closed at once, with a log line. */
  maxConnections: number;
  /** The same, per client address (Kafka's max.connections.per.ip). */
  maxConnectionsPerAddress: number;
  /** A client that must authenticate and has not within this time is closed. */
  authenticationTimeoutMs: number;
  /** A connection with nothing in flight and no traffic for this long is closed (connections.max.idle.ms). */
  idleTimeoutMs: number;
  /** TLS on the bootstrap and broker ports; certificate changes apply to new connections. */
  listenerTls?: ListenerTls;
  /** SNI routing: the bootstrap port (TLS) serves every broker, chosen by the SNI host name. */
  sni?: SniSettings;
  /** The policy for a new client connection (transparent proxy, or a virtual cluster). */
  policyFor(conn: ConnectionInfo): SessionPolicy;
  observer?: SessionObserver;
}

export interface ConnectionInfo {
  id: number;
  client: Duplex;
  /** The broker this connection stands for; null on the bootstrap port (or the SNI bootstrap name). */
  nodeId: number | null;
  /** SNI routing with `vclusterInHost`: the vcluster the SNI host names; logins into others are refused. */
  hostVcluster?: string;
  rewrites: ResponseRewrites;
  brokers: BrokerDirectory;
}

export class Gateway {
  readonly brokers: BrokerDirectory;
  readonly rewrites: ResponseRewrites;
  private readonly listeners: TcpListener[] = [];
  private readonly sessions = new Set<Session>();
  private readonly perAddress = new Map<string, number>();
  private nextId = 1;
  private stopping = false;
  private sweeper: ReturnType<typeof setInterval>;
  private readonly sniNames: SniNames | null;

  private constructor(private readonly options: GatewayOptions) {
    this.sniNames = options.sni ? new SniNames(options.sni, [options.advertisedHost]) : null;
    this.brokers = new BrokerDirectory({
      advertisedHost: options.advertisedHost,
      brokerPortBase: options.brokerPortBase,
      brokerPorts: options.brokerPorts,
      openBrokerListener: (nodeId, port) => this.listen(port, nodeId),
      sni: this.sniNames ? { names: this.sniNames, port: options.bootstrapPort } : undefined,
    });
    this.rewrites = new ResponseRewrites(this.brokers);
    this.sweeper = this.startSweeper();
  }

  private startSweeper(): ReturnType<typeof setInterval> {
    const period = Math.max(50, Math.min(1000, this.options.authenticationTimeoutMs / 4, this.options.idleTimeoutMs / 4));
    return setInterval(() => this.sweep(), period);
  }

  /**
   * New limits from a config reload. Open sessions read their limits from the shared object, so
   * frame size, muting and connect timeout apply to their next request; the connection limits
   * apply to the next accept; the timeouts to the next sweep. Nothing is closed by this.
   */
  updateLimits(
    limits: Pick<GatewayOptions, "maxConnections" | "maxConnectionsPerAddress" | "authenticationTimeoutMs" | "idleTimeoutMs"> & {
      sessionLimits: SessionLimits;
    },
  ): void {
    Object.assign(this.options.sessionLimits, limits.sessionLimits);
    const o = this.options as { -readonly [K in keyof GatewayOptions]: GatewayOptions[K] };
    o.maxConnections = limits.maxConnections;
    o.maxConnectionsPerAddress = limits.maxConnectionsPerAddress;
    o.authenticationTimeoutMs = limits.authenticationTimeoutMs;
    o.idleTimeoutMs = limits.idleTimeoutMs;
    if (this.stopping) return;
    clearInterval(this.sweeper);
    this.sweeper = this.startSweeper();
  }

  /** Client connections by the state of their backing connection and the broker it stands for, for /metrics. */
  upstreamStates(): Map<string, { state: UpstreamState; broker: string; count: number }> {
    const out = new Map<string, { state: UpstreamState; broker: string; count: number }>();
    for (const s of this.sessions) {
      const broker = s.nodeId === null ? "bootstrap" : String(s.nodeId);
      const key = `${s.upstreamState}/${broker}`;
      const entry = out.get(key) ?? { state: s.upstreamState, broker, count: 0 };
      entry.count++;
      out.set(key, entry);
    }
    return out;
  }

  static async start(options: GatewayOptions): Promise<Gateway> {
    // Without TLS there is no SNI name to route by: every connection would be a bootstrap one.
    if (options.sni && !options.listenerTls) throw new Error("listener.sni needs listener.tls");
    const g = new Gateway(options);
    options.listenerTls?.onChange((tls) => {
      for (const l of g.listeners) l.updateTls?.(tls);
    });
    await g.listen(options.bootstrapPort, null);
    return g;
  }

  get connectionCount(): number {
    return this.sessions.size;
  }

  /** Open connections by the view they have (null: not logged in yet), for /metrics. */
  connectionsByView(): Map<string | null, number> {
    const counts = new Map<string | null, number>();
    for (const s of this.sessions) counts.set(s.policy.view, (counts.get(s.policy.view) ?? 0) + 1);
    return counts;
  }

  /**
   * Asks every open session whether it may keep its view after a store change, and closes
   * exactly those that may not, each with its reason (invariant 2).
   */
  recheckSessions(): number {
    let n = 0;
    for (const s of this.sessions) {
      const reason = s.policy.recheck?.();
      if (reason) {
        s.close(reason);
        n++;
      }
    }
    return n;
  }

  /** Authentication timeout and idle timeout, checked for all sessions at once. */
  private sweep(): void {
    const now = Date.now();
    const { authenticationTimeoutMs, idleTimeoutMs } = this.options;
    for (const s of this.sessions) {
      if (s.policy.awaitingAuthentication && now - s.openedAt > authenticationTimeoutMs) {
        s.close(`authentication not completed within ${authenticationTimeoutMs} ms (limits.authenticationTimeoutMs)`, true);
      } else if (s.inFlight === 0 && now - s.lastActivityAt > idleTimeoutMs) {
        s.close(`idle for more than ${idleTimeoutMs} ms (limits.connectionsMaxIdleMs)`);
      }
    }
  }

  /** Closes every open session that `match` selects (e.g. a deleted vcluster's clients). */
  closeSessions(match: (s: Session) => boolean, reason: string): number {
    let n = 0;
    for (const s of this.sessions) {
      if (match(s)) {
        s.close(reason);
        n++;
      }
    }
    return n;
  }

  private async listen(port: number, nodeId: number | null): Promise<void> {
    const target = nodeId === null ? "bootstrap" : `broker ${nodeId}`;
    // A metadata response during shutdown may name a new broker: its port stays closed.
    if (this.stopping) return;
    let l: TcpListener;
    try {
      const tls = this.options.listenerTls?.current;
      l = await this.options.runtime.listen({ host: this.options.listenHost, port, tls }, (client) => {
        void this.accept(client, nodeId);
      });
    } catch (e) {
      throw new Error(`cannot listen on ${this.options.listenHost}:${port} (${target} port): ${describe(e)}`);
    }
    this.listeners.push(l);
    log.info("listening {host}:{port} for {target}{tls}", {
      host: this.options.listenHost,
      port,
      target,
      tls: this.sniNames ? ` (TLS, every broker by SNI name *.${this.options.sni!.advertisedDomain})` : this.options.listenerTls ? " (TLS)" : "",
    });
  }

  private async accept(client: Duplex, nodeId: number | null): Promise<void> {
    const id = this.nextId++;
    const address = client.remoteAddress;
    const peer = `${address}:${client.remotePort}`;
    if (this.stopping) {
      client.close();
      return;
    }
    // Counted from the first byte of setup, so a storm of slow handshakes cannot pile up.
    if (this.sessions.size >= this.options.maxConnections) {
      log.warn("connection {connection} from {peer} refused: {max} connections open (limits.maxConnections)", {
        ...connectionFields(id),
        peer,
        max: this.options.maxConnections,
      });
      client.close();
      return;
    }
    const fromAddress = this.perAddress.get(address) ?? 0;
    if (fromAddress >= this.options.maxConnectionsPerAddress) {
      log.warn("connection {connection} from {peer} refused: {max} connections open from {address} (limits.maxConnectionsPerAddress)", {
        ...connectionFields(id),
        peer,
        address,
        max: this.options.maxConnectionsPerAddress,
      });
      client.close();
      return;
    }
    // As Kafka with ssl.client.auth=requested: no certificate is fine, an untrusted one is not.
    if (client.tls?.subject !== undefined && !client.tls.authorized) {
      log.warn("connection {connection} from {peer} refused: client certificate {subject} not trusted ({reason})", {
        ...connectionFields(id),
        peer,
        subject: client.tls.subject,
        reason: client.tls.authorizationError ?? "unknown",
      });
      client.close();
      return;
    }
    let hostVcluster: string | undefined;
    if (this.sniNames) {
      const route = this.sniNames.route(client.tls?.serverName);
      if (route.kind === "broker" && !this.brokers.backingFor(route.nodeId)) {
        log.warn(
          "connection {connection} from {peer} refused: SNI host {name} names broker {node}, which kgate has not seen in the backing cluster's metadata",
          {
            ...connectionFields(id),
            peer,
            name: client.tls?.serverName,
            node: route.nodeId,
          },
        );
        client.close();
        return;
      }
      if (route.kind === "refused") {
        log.warn("connection {connection} from {peer} refused: {reason}", { ...connectionFields(id), peer, reason: route.reason });
        client.close();
        return;
      }
      nodeId = route.kind === "broker" ? route.nodeId : null;
      hostVcluster = route.vcluster;
    }
    this.perAddress.set(address, fromAddress + 1);
    // deno-lint-ignore prefer-const -- read by the closure below before it is assigned
    let policy: SessionPolicy | undefined;
    const { brokers, rewrites } = this.addressingFor(hostVcluster, () => policy?.view ?? null);
    const info: ConnectionInfo = { id, client, nodeId, hostVcluster, rewrites, brokers };
    policy = this.options.policyFor(info);
    // Limits are read through the shared object at each use, so a config reload reaches open sessions.
    const limits = this.options.sessionLimits;
    const session = new Session(client, policy, {
      get maxFrameBytes() {
        return limits.maxFrameBytes;
      },
      get maxQueuedResponseBytes() {
        return limits.maxQueuedResponseBytes;
      },
      get maxInFlightRequests() {
        return limits.maxInFlightRequests;
      },
      get upstreamConnectTimeoutMs() {
        return limits.upstreamConnectTimeoutMs;
      },
      nodeId,
      // Opened for the first forwarded request: after authentication where it is required.
      openUpstream: async () => {
        const target = nodeId === null ? this.options.bootstrapServers : [this.brokers.backingFor(nodeId)!];
        const { runtime, backingSasl, backingTls: tls } = this.options;
        const sasl = (await policy?.upstreamCredentials?.()) ?? backingSasl;
        return connectUpstream(target, { runtime, sasl, tls });
      },
      observer: this.options.observer,
    });
    this.sessions.add(session);
    if (this.sniNames) {
      log.info("connection {connection} opened from {peer} on port {port} for {target} (SNI {name})", {
        ...connectionFields(id, policy),
        peer,
        port: client.localPort,
        target: nodeId === null ? "bootstrap" : `broker ${nodeId}`,
        name: client.tls?.serverName ?? "none",
      });
    } else {
      log.info("connection {connection} opened from {peer} on port {port}", { ...connectionFields(id, policy), peer, port: client.localPort });
    }
    await session.done;
    this.sessions.delete(session);
    const left = (this.perAddress.get(address) ?? 1) - 1;
    if (left > 0) this.perAddress.set(address, left);
    else this.perAddress.delete(address);
    const closed = { ...connectionFields(id, policy), peer, reason: session.reason };
    if (session.failed) log.warn("connection {connection} from {peer} closed: {reason}", closed);
    else log.info("connection {connection} from {peer} closed: {reason}", closed);
  }

  /**
   * With the vcluster in SNI host names, what a connection is told depends on its vcluster: the
   * one its host names, else the one it logged into (never "passthrough", which is no vcluster).
   */
  private addressingFor(hostVcluster: string | undefined, view: () => string | null): { brokers: BrokerDirectory; rewrites: ResponseRewrites } {
    if (!this.options.sni?.vclusterInHost) return { brokers: this.brokers, rewrites: this.rewrites };
    const brokers = this.brokers.scopedTo(() => {
      if (hostVcluster !== undefined) return hostVcluster;
      const v = view();
      return v === null || v === PASSTHROUGH_VIEW ? undefined : v;
    });
    return { brokers, rewrites: new ResponseRewrites(brokers) };
  }

  /**
   * Graceful shutdown: stops accepting, then every connection stops reading requests, gets the
   * responses to those already handled, and is closed, so its client reconnects elsewhere with
   * every answer it was owed. Connections still busy after `graceMs` are closed as they are.
   */
  async stop(graceMs = 5000): Promise<{ drained: number; cut: number }> {
    this.stopping = true;
    clearInterval(this.sweeper);
    for (const l of this.listeners) l.stop();
    const reason = "kgate is shutting down";
    const open = [...this.sessions];
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      Promise.all(open.map((s) => s.drain(reason))),
      new Promise((r) => (timer = setTimeout(r, graceMs))),
    ]);
    clearTimeout(timer);
    let cut = 0;
    for (const s of this.sessions) {
      if (!s.isClosed) cut++;
      s.close(`${reason}: still busy after ${graceMs} ms (shutdown.timeoutMs)`, true);
    }
    return { drained: open.length - cut, cut };
  }
}
