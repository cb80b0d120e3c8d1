import type { StoreListener } from "./events.ts";
import type { PutVclusterInput, PutVclusterResult } from "./mutations.ts";
import type {
  IssuedTokenRecord,
  RevokedTokenRecord,
  SecretName,
  ServiceAccountRecord,
  VclusterRecord,
} from "./records.ts";

/**
 * The prefix-mapping store. Reads are synchronous views of the last durable state (the data
 * plane consults them per connection); mutations resolve once the change is durable and reject
 * with a `StoreError` when a rule refuses them. Implementations: `FileStore` (default),
 * `MemoryStore` (tests), and later a Kafka-topic store sharing state between nodes, which
 * would emit remote changes through `subscribe` as well.
 */
export interface StateStore {
  /** Read persisted state; call once before anything else. */
  load(): Promise<void>;
  /** Finish pending writes and stop following remote changes. */
  close(): Promise<void>;

  listVclusters(): VclusterRecord[];
  getVcluster(name: string): VclusterRecord | undefined;
  listServiceAccounts(vcluster: string): ServiceAccountRecord[];
  listTokens(vcluster: string): IssuedTokenRecord[];
  isTokenRevoked(jti: string): boolean;
  getSecret(name: SecretName): string | undefined;
  /** Whether the store has ever held a vcluster (deleting the last one does not undo it). */
  tenancyBegan(): boolean;

  putVcluster(input: PutVclusterInput): Promise<PutVclusterResult>;
  deleteVcluster(name: string): Promise<VclusterRecord>;
  recordIssuedToken(token: IssuedTokenRecord): Promise<void>;
  revokeToken(vcluster: string, jti: string): Promise<RevokedTokenRecord>;
  /** The kept value of a secret, generating and persisting it the first time. */
  ensureSecret(name: SecretName, generate: () => string): Promise<string>;

  /** Returns the unsubscribe function. */
  subscribe(listener: StoreListener): () => void;
}
