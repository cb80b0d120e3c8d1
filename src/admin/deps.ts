import type { AuditTrail } from "../audit/audit-trail.ts";
import type { BackingProvisioner } from "../backing/provisioner.ts";
import type { ClientAccount } from "../auth/oauth-client-credentials.ts";
import type { KgateAccessTokens } from "../auth/oauth-kgate-tokens.ts";
import type { TokenSigner } from "../auth/tokens.ts";
import type { Config } from "../config/schema.ts";
import type { StateStore } from "../store/state-store.ts";
import type { BackingInventory } from "../client/backing-inventory.ts";
import type { LiveStats } from "./live-stats.ts";
import type { MetricsSource } from "../metrics/metrics.ts";

export interface AdminDeps {
  readonly store: StateStore;
  readonly config: Config;
  readonly metrics: MetricsSource;
  /** Milliseconds since the epoch; injectable so tests control token times. */
  readonly clock: () => number;
  /** From `admin.token`, or generated into a 0600 key file (see `resolveSecrets`). */
  readonly adminToken: string;
  readonly signer: TokenSigner;
  /** With `listener.tls`: the CA clients must trust (PEM), written into client properties. */
  readonly clientTruststore?: string;
  /** Records admin API changes when a sink is configured. */
  readonly audit?: AuditTrail;
  /** Creates and removes vclusters' principals and ACLs on the backing cluster (`backingAcls`); absent: refused with 409. */
  readonly backingAcls?: BackingProvisioner;
  /** The OAuth token endpoint (POST /oauth/token); absent, the route is not served. */
  readonly oauth?: {
    readonly tokens: KgateAccessTokens;
    /** The SCRAM service account a client id ("user@vcluster") names, if any. */
    clientAccount(clientId: string): ClientAccount | undefined;
  };
  /** Per-vcluster rates of the last minutes (GET /v1/vclusters/{name}/live, the console's chart). */
  readonly liveStats?: LiveStats;
  /** The backing cluster read with kgate's own client: brokers, a tenant's topics and groups. */
  readonly inventory?: BackingInventory;
  /** "bun" or "deno", for GET /v1/gateway. */
  readonly runtimeName?: string;
}
