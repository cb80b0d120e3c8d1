// The Kafka side of kgate: the bootstrap listener, one listener per backing broker, and a
// session per client connection.
import type { SaslCredentials } from "../client/sasl-login.ts";
import { getLogger } from "../log.ts";
import type { Duplex, Runtime, TcpListener } from "../runtime/types.ts";
import { type BackingAddress, BrokerDirectory } from "./broker-directory.ts";
import { ResponseRewrites } from "./passthrough-policy.ts";
import { describe, Session, type SessionObserver } from "./session.ts";
import type { SessionPolicy } from "./session-policy.ts";
import { connectUpstream } from "./upstream.ts";

const log = getLogger("gateway");

export interface GatewayOptions {
  runtime: Runtime;
  listenHost: string;
  bootstrapPort: number;
  advertisedHost: string;
  brokerPortBase: number;
  brokerPorts: Record<string, number>;
  bootstrapServers: readonly BackingAddress[];
  backingSasl?: SaslCredentials;
  maxFrameBytes: number;
  /** Connections beyond this are closed at once, with a log line (bounded memory). */
  maxConnections: number;
  /** The policy for a new client connection (transparent proxy, or a virtual cluster). */
  policyFor(conn: ConnectionInfo): SessionPolicy;
  observer?: SessionObserver;
}

export interface ConnectionInfo {
  id: number;
  client: Duplex;
  /** The broker this connection stands for; null on the bootstrap port. */
  nodeId: number | null;
  rewrites: ResponseRewrites;
  brokers: BrokerDirectory;
}

export class Gateway {
  readonly brokers: BrokerDirectory;
  readonly rewrites: ResponseRewrites;
  private readonly listeners: TcpListener[] = [];
  private readonly sessions = new Set<Session>();
  private nextId = 1;
  private stopping = false;

  private constructor(private readonly options: GatewayOptions) {
    this.brokers = new BrokerDirectory({
      advertisedHost: options.advertisedHost,
      brokerPortBase: options.brokerPortBase,
      brokerPorts: options.brokerPorts,
      openBrokerListener: (nodeId, port) => this.listen(port, nodeId),
    });
    this.rewrites = new ResponseRewrites(this.brokers);
  }

  static async start(options: GatewayOptions): Promise<Gateway> {
    const g = new Gateway(options);
    await g.listen(options.bootstrapPort, null);
    return g;
  }

  get connectionCount(): number {
    return this.sessions.size;
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
    let l: TcpListener;
    try {
      l = await this.options.runtime.listen({ host: this.options.listenHost, port }, (client) => {
        void this.accept(client, nodeId);
      });
    } catch (e) {
      throw new Error(`cannot listen on ${this.options.listenHost}:${port} (${target} port): ${describe(e)}`);
    }
    this.listeners.push(l);
    log.info("listening {host}:{port} for {target}", {
      host: this.options.listenHost,
      port,
      target,
    });
  }

  private async accept(client: Duplex, nodeId: number | null): Promise<void> {
    const id = this.nextId++;
    const peer = `${client.remoteAddress}:${client.remotePort}`;
    if (this.stopping) {
      client.close();
      return;
    }
    if (this.sessions.size >= this.options.maxConnections) {
      log.warn("connection {id} from {peer} refused: {max} connections open (limits.maxConnections)", {
        id, peer, max: this.options.maxConnections,
      });
      client.close();
      return;
    }
    let upstream: Duplex;
    try {
      const target = nodeId === null ? this.options.bootstrapServers : [this.brokers.backingFor(nodeId)!];
      upstream = await connectUpstream(target, { runtime: this.options.runtime, sasl: this.options.backingSasl });
    } catch (e) {
      log.error("connection {id} from {peer} closed: {reason}", { id, peer, reason: describe(e) });
      client.close();
      return;
    }
    const info: ConnectionInfo = { id, client, nodeId, rewrites: this.rewrites, brokers: this.brokers };
    const session = new Session(client, upstream, this.options.policyFor(info), {
      maxFrameBytes: this.options.maxFrameBytes,
      observer: this.options.observer,
    });
    this.sessions.add(session);
    log.info("connection {id} opened from {peer} on port {port}", { id, peer, port: client.localPort });
    await session.done;
    this.sessions.delete(session);
    log.info("connection {id} closed: {reason}", { id, reason: session.reason });
  }

  /** Stops accepting, lets in-flight requests finish (bounded by `graceMs`), closes the rest. */
  async stop(graceMs = 5000): Promise<void> {
    this.stopping = true;
    for (const l of this.listeners) l.stop();
    const idle = Promise.all([...this.sessions].map((s) => s.idle()));
    await Promise.race([idle, new Promise((r) => setTimeout(r, graceMs))]);
    for (const s of this.sessions) s.close("kgate is shutting down");
  }
}
