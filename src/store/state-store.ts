import type { StoreListener } from "./events.ts";
import type { AclCreation, PutScramAccountInput, PutVclusterInput, PutVclusterResult } from "./mutations.ts";
import type { AclBinding, AclFilter } from "../model/acl-model.ts";
import type { AclRecord, IssuedTokenRecord, LegacySecrets, RevokedTokenRecord, ServiceAccountRecord, VclusterRecord } from "./records.ts";

/**
 * The prefix-mapping store. Reads are synchronous views of the last durable state (the data
 * plane consults them per connection); mutations resolve once the change is durable and reject
 * with a `StoreError` when a rule refuses them. Implementations: `FileStore` (default),
 * `MemoryStore` (tests) and `KafkaStore` (a topic shared between nodes, which emits remote
 * changes through `subscribe` as well). A store never holds a secret (invariant 6).
 */
export interface StateStore {
  /** Read persisted state; call once before anything else. */
  load(): Promise<void>;
  /** Finish pending writes and stop following remote changes. */
  close(): Promise<void>;
  /** A store that follows a log (Kafka): records written there not applied here yet. */
  recordsBehind?(): number;

  listVclusters(): VclusterRecord[];
  getVcluster(name: string): VclusterRecord | undefined;
  listServiceAccounts(vcluster: string): ServiceAccountRecord[];
  listTokens(vcluster: string): IssuedTokenRecord[];
  isTokenRevoked(jti: string): boolean;
  /** Whether the store has ever held a vcluster (deleting the last one does not undo it). */
  tenancyBegan(): boolean;
  /** A vcluster's ACLs; the same array while they do not change (callers may cache by it). */
  listAcls(vcluster: string): readonly AclRecord[];

  putVcluster(input: PutVclusterInput): Promise<PutVclusterResult>;
  deleteVcluster(name: string): Promise<VclusterRecord>;
  recordIssuedToken(token: IssuedTokenRecord): Promise<void>;
  revokeToken(vcluster: string, jti: string): Promise<RevokedTokenRecord>;
  /** Create a SCRAM account or rotate its credentials. */
  putScramAccount(input: PutScramAccountInput): Promise<ServiceAccountRecord>;
  deleteServiceAccount(vcluster: string, username: string): Promise<ServiceAccountRecord>;
  /** Create ACLs of a vcluster; one result per binding, in order. */
  createAcls(vcluster: string, bindings: readonly AclBinding[]): Promise<AclCreation[]>;
  /** Delete a vcluster's ACLs matching each filter; per filter, those removed. */
  deleteAcls(vcluster: string, filters: readonly AclFilter[]): Promise<AclRecord[][]>;
  /**
   * Secrets an older kgate kept in this store, for moving them to the key files. Only a local
   * file's count: those an older kgate wrote to a Kafka topic were readable by Kafka clients and
   * are never handed out.
   */
  legacySecrets(): LegacySecrets;
  /** Remove every secret an older kgate left in the store; the names of those found. */
  dropLegacySecrets(): Promise<string[]>;

  /** Returns the unsubscribe function. */
  subscribe(listener: StoreListener): () => void;
}
