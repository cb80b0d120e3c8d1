// Which kgate address stands for which backing broker.
// Port-per-broker (the default): the port of a node id is stable, an explicit override, else
// `brokerPortBase + nodeId`, so clients that cached metadata find the same broker after a
// restart; a listener for a broker's port is opened when metadata first shows the broker.
// SNI routing: every broker is on the one bootstrap port under its own host name (sni-names.ts).

import type { SniNames } from "./sni-names.ts";

import type { BackingAddress } from "../client/backing-address.ts";
export type { BackingAddress } from "../client/backing-address.ts";

export interface BrokerDirectoryOptions {
  advertisedHost: string;
  brokerPortBase: number;
  brokerPorts: Record<string, number>;
  /** Opens the kgate listener for `port`, whose connections go to `backingFor(nodeId)`. */
  openBrokerListener(nodeId: number, port: number): Promise<void>;
  /** SNI routing: brokers are advertised as host names on `port`, and no listener opens per broker. */
  sni?: { names: SniNames; port: number };
}

/**
 * Cluster mode (`listener.advertise: cluster`): the kgate address that stands for a broker when
 * another node advertises it; undefined when this node does.
 */
export type BrokerPlacement = (nodeId: number) => BackingAddress | undefined;

/** What every view of the directory shares: the brokers seen so far, their listeners, the placement. */
interface SharedBrokers {
  readonly backing: Map<number, BackingAddress>;
  readonly listening: Map<number, Promise<void>>;
  placement?: BrokerPlacement;
}

export class BrokerDirectory {
  constructor(
    private readonly options: BrokerDirectoryOptions,
    private readonly shared: SharedBrokers = { backing: new Map(), listening: new Map() },
    /** The vcluster advertised host names carry (SNI with `vclusterInHost`), if any. */
    private readonly hostVcluster: () => string | undefined = () => undefined,
  ) {}

  /**
   * The same brokers, advertised under host names that carry the connection's vcluster: a
   * tenant's client is told `b0.<vc>.<domain>`, so its next connections name (and pin) it too.
   */
  scopedTo(hostVcluster: () => string | undefined): BrokerDirectory {
    return new BrokerDirectory(this.options, this.shared, hostVcluster);
  }

  /** Cluster mode: brokers advertised at other kgate nodes (every node still listens for every broker). */
  placeBrokers(placement: BrokerPlacement | undefined): void {
    this.shared.placement = placement;
  }

  /** Node ids of the backing brokers seen so far. */
  knownBrokers(): number[] {
    return [...this.shared.backing.keys()].sort((a, b) => a - b);
  }

  get sniRouting(): boolean {
    return this.options.sni !== undefined;
  }

  portFor(nodeId: number): number {
    if (this.options.sni) return this.options.sni.port;
    return this.options.brokerPorts[String(nodeId)] ?? this.options.brokerPortBase + nodeId;
  }

  backingFor(nodeId: number): BackingAddress | undefined {
    return this.shared.backing.get(nodeId);
  }

  nodeAt(host: string, port: number): number | undefined {
    for (const [id, a] of this.shared.backing) if (a.host === host && a.port === port) return id;
    return undefined;
  }

  /** Records a broker seen in a response and returns the address kgate tells clients, once it is served. */
  async advertise(nodeId: number, host: string, port: number): Promise<BackingAddress> {
    const known = this.shared.backing.get(nodeId);
    if (!known || known.host !== host || known.port !== port) this.shared.backing.set(nodeId, { host, port });
    const sni = this.options.sni;
    if (sni) return { host: sni.names.brokerHost(nodeId, this.hostVcluster()), port: sni.port };
    const kgatePort = this.portFor(nodeId);
    let opening = this.shared.listening.get(nodeId);
    if (!opening) {
      opening = this.options.openBrokerListener(nodeId, kgatePort);
      this.shared.listening.set(nodeId, opening);
      opening.catch(() => this.shared.listening.delete(nodeId));
    }
    await opening;
    return this.shared.placement?.(nodeId) ?? { host: this.options.advertisedHost, port: kgatePort };
  }
}
