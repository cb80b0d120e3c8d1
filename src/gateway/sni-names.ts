// The host names of SNI routing: one TLS port serves every broker, and the name a client asks
// for in its TLS handshake (SNI) says which broker, and optionally which vcluster, it wants.
//   bootstrap.<domain>         any broker          b<nodeId>.<domain>         broker nodeId
//   bootstrap.<vc>.<domain>    any broker, vc      b<nodeId>.<vc>.<domain>    broker nodeId, vc
// (the `<vc>` forms only with `vclusterInHost`). Pure: no I/O, no state.

export interface SniSettings {
  /** Broker hosts are `b<nodeId>.<advertisedDomain>`; clients must resolve `*.<advertisedDomain>` to kgate. */
  readonly advertisedDomain: string;
  /** Hosts also name the vcluster (`b0.vc-alice.<domain>`), which pins the connection to it. */
  readonly vclusterInHost: boolean;
}

export type SniRoute =
  | { readonly kind: "bootstrap"; readonly vcluster?: string }
  | { readonly kind: "broker"; readonly nodeId: number; readonly vcluster?: string }
  | { readonly kind: "refused"; readonly reason: string };

// Vcluster names are DNS labels, so a host label that is not one names no vcluster.
const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
// Node ids are Kafka int32s; a longer digit run is not a broker kgate could know.
const BROKER_LABEL = /^b(0|[1-9]\d{0,9})$/;

export class SniNames {
  private readonly suffix: string;

  /** `extraBootstrapHosts`: other names that mean "bootstrap" (the listener's advertised host). */
  constructor(private readonly settings: SniSettings, private readonly extraBootstrapHosts: readonly string[] = []) {
    this.suffix = `.${settings.advertisedDomain.toLowerCase()}`;
  }

  brokerHost(nodeId: number, vcluster?: string): string {
    return `b${nodeId}${this.middle(vcluster)}${this.suffix}`;
  }

  bootstrapHost(vcluster?: string): string {
    return `bootstrap${this.middle(vcluster)}${this.suffix}`;
  }

  /**
   * Where a TLS connection goes, by its SNI name. No SNI at all is a bootstrap connection:
   * clients send none when they dial an IP address, and broker names are never addresses.
   */
  route(serverName: string | undefined): SniRoute {
    if (serverName === undefined || serverName === "") return { kind: "bootstrap" };
    const name = serverName.toLowerCase().replace(/\.$/, "");
    if (this.extraBootstrapHosts.some((h) => h.toLowerCase() === name)) return { kind: "bootstrap" };
    const refused = { kind: "refused", reason: `SNI host ${serverName} is not a name kgate serves (listener.sni)` } as const;
    if (!name.endsWith(this.suffix)) return refused;
    const labels = name.slice(0, -this.suffix.length).split(".");
    let vcluster: string | undefined;
    if (labels.length === 2 && this.settings.vclusterInHost) {
      vcluster = labels[1]!;
      if (!DNS_LABEL.test(vcluster)) return refused;
    } else if (labels.length !== 1) {
      return refused;
    }
    const first = labels[0]!;
    if (first === "bootstrap") return vcluster === undefined ? { kind: "bootstrap" } : { kind: "bootstrap", vcluster };
    const broker = BROKER_LABEL.exec(first);
    if (!broker) return refused;
    const nodeId = Number(broker[1]);
    if (nodeId > 0x7fffffff) return refused;
    return vcluster === undefined ? { kind: "broker", nodeId } : { kind: "broker", nodeId, vcluster };
  }

  private middle(vcluster: string | undefined): string {
    return this.settings.vclusterInHost && vcluster !== undefined ? `.${vcluster}` : "";
  }
}
