// Which kgate port stands for which backing broker. The port of a node id is stable: an explicit
// override, else `brokerPortBase + nodeId`, so clients that cached metadata find the same broker
// after a restart. A listener for a broker's port is opened when metadata first shows the broker.

export interface BackingAddress {
  host: string;
  port: number;
}

export interface BrokerDirectoryOptions {
  advertisedHost: string;
  brokerPortBase: number;
  brokerPorts: Record<string, number>;
  /** Opens the kgate listener for `port`, whose connections go to `backingFor(nodeId)`. */
  openBrokerListener(nodeId: number, port: number): Promise<void>;
}

export class BrokerDirectory {
  private readonly backing = new Map<number, BackingAddress>();
  private readonly listening = new Map<number, Promise<void>>();

  constructor(private readonly options: BrokerDirectoryOptions) {}

  get advertisedHost(): string {
    return this.options.advertisedHost;
  }

  portFor(nodeId: number): number {
    return this.options.brokerPorts[String(nodeId)] ?? this.options.brokerPortBase + nodeId;
  }

  backingFor(nodeId: number): BackingAddress | undefined {
    return this.backing.get(nodeId);
  }

  nodeAt(host: string, port: number): number | undefined {
    for (const [id, a] of this.backing) if (a.host === host && a.port === port) return id;
    return undefined;
  }

  /** Records a broker seen in a response and returns its kgate port, once it is listening. */
  async advertise(nodeId: number, host: string, port: number): Promise<number> {
    const known = this.backing.get(nodeId);
    if (!known || known.host !== host || known.port !== port) this.backing.set(nodeId, { host, port });
    const kgatePort = this.portFor(nodeId);
    let opening = this.listening.get(nodeId);
    if (!opening) {
      opening = this.options.openBrokerListener(nodeId, kgatePort);
      this.listening.set(nodeId, opening);
      opening.catch(() => this.listening.delete(nodeId));
    }
    await opening;
    return kgatePort;
  }
}
