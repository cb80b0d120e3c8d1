// Base for stores that persist the whole state as one snapshot (file, memory). Mutations run
// one at a time through a promise queue, so concurrent admin requests each see the previous
// one's result and none is lost; readers only ever see committed state. A snapshot read back is
// replayed record by record through the state topic's checks, so both stores trust a record
// only as far as an admin write.
import { getLogger } from "../base/log.ts";
import type { StoreEvent, StoreListener } from "./events.ts";
import * as mutations from "./mutations.ts";
import type { Change, PutVclusterInput, PutVclusterResult, StoreRules } from "./mutations.ts";
import {
  EMPTY_STATE,
  type IssuedTokenRecord,
  type LegacySecrets,
  type RevokedTokenRecord,
  type ServiceAccountRecord,
  type StoreState,
  type VclusterRecord,
} from "./records.ts";
import type { ParsedSnapshot } from "./snapshot-format.ts";
import { StateReader } from "./state-reads.ts";
import type { AclRecord } from "./records.ts";
import type { AclBinding, AclFilter } from "../model/acl-model.ts";
import type { StateStore } from "./state-store.ts";
import { applyStateRecord } from "./state-topic-records.ts";

const log = getLogger("store");

export abstract class SnapshotStore extends StateReader implements StateStore {
  private queue: Promise<unknown> = Promise.resolve();
  private readonly listeners = new Set<StoreListener>();
  private legacy: LegacySecrets = {};

  protected constructor(
    clock: () => number,
    private readonly rules: StoreRules = {},
  ) {
    super(clock);
  }

  /** Previously persisted records, or undefined when there are none yet. */
  protected abstract readSnapshot(): Promise<ParsedSnapshot | undefined>;
  /** Make `state` durable; must be atomic (all or nothing). */
  protected abstract writeSnapshot(state: StoreState): Promise<void>;
  /** Where the snapshot lives, for log lines. */
  protected abstract readonly source: string;

  async load(): Promise<void> {
    const snapshot = await this.readSnapshot();
    let state = EMPTY_STATE;
    const context = { ...this.rules, now: this.clock() };
    for (const record of snapshot?.records ?? []) {
      const applied = applyStateRecord(state, record, context);
      if (applied.ok) state = applied.state;
      else log.warning("{problem} in {source}; skipped", { problem: applied.problem, source: this.source });
    }
    this.state = state;
    this.legacy = snapshot?.legacySecrets ?? {};
  }

  legacySecrets(): LegacySecrets {
    return this.legacy;
  }

  dropLegacySecrets(): Promise<string[]> {
    return this.enqueue(async () => {
      const names = Object.keys(this.legacy);
      if (names.length === 0) return [];
      await this.writeSnapshot(this.state); // the format no longer has a place for them
      this.legacy = {};
      return names;
    });
  }

  async close(): Promise<void> {
    await this.queue.catch(() => {});
  }

  putVcluster(input: PutVclusterInput): Promise<PutVclusterResult> {
    return this.mutate((s, now) => mutations.putVcluster(s, input, now, this.rules));
  }

  deleteVcluster(name: string): Promise<VclusterRecord> {
    return this.mutate((s, now) => mutations.deleteVcluster(s, name, now));
  }

  recordIssuedToken(token: IssuedTokenRecord): Promise<void> {
    return this.mutate((s, now) => mutations.recordIssuedToken(s, token, now));
  }

  revokeToken(vcluster: string, jti: string): Promise<RevokedTokenRecord> {
    return this.mutate((s) => mutations.revokeToken(s, vcluster, jti));
  }

  putScramAccount(input: mutations.PutScramAccountInput): Promise<ServiceAccountRecord> {
    return this.mutate((s, now) => mutations.putScramAccount(s, input, now));
  }

  deleteServiceAccount(vcluster: string, username: string): Promise<ServiceAccountRecord> {
    return this.mutate((s) => mutations.deleteServiceAccount(s, vcluster, username));
  }

  createAcls(vcluster: string, bindings: readonly AclBinding[]): Promise<mutations.AclCreation[]> {
    return this.mutate((s) => mutations.createAcls(s, vcluster, bindings));
  }

  deleteAcls(vcluster: string, filters: readonly AclFilter[]): Promise<AclRecord[][]> {
    return this.mutate((s) => mutations.deleteAcls(s, vcluster, filters));
  }

  subscribe(listener: StoreListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private mutate<T>(apply: (state: StoreState, now: number) => Change<T>): Promise<T> {
    return this.enqueue(async (): Promise<T> => {
      const now = this.clock();
      const change = apply(this.state, now);
      const next = mutations.pruneExpired(change.state, now);
      if (next !== this.state) {
        // Memory changes only after the write succeeded: a failed write leaves the store as it was.
        await this.writeSnapshot(next);
        this.state = next;
      }
      for (const event of change.events) this.emit(event);
      return change.result;
    });
  }

  private enqueue<T>(run: () => Promise<T>): Promise<T> {
    const result = this.queue.then(run);
    this.queue = result.catch(() => {});
    return result;
  }

  private emit(event: StoreEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        // A broken subscriber must not undo or block a change that is already durable.
        log.error("store listener failed on {type}: {error}", { type: event.type, error });
      }
    }
  }
}
