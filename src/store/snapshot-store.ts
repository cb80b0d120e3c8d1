// Base for stores that persist the whole state as one snapshot (file, memory). Mutations run
// one at a time through a promise queue, so concurrent admin requests each see the previous
// one's result and none is lost; readers only ever see committed state.
import { getLogger } from "../log.ts";
import type { StoreEvent, StoreListener } from "./events.ts";
import * as mutations from "./mutations.ts";
import type { Change, PutVclusterInput, PutVclusterResult } from "./mutations.ts";
import {
  EMPTY_STATE,
  type IssuedTokenRecord,
  type RevokedTokenRecord,
  type SecretName,
  type StoreState,
  type VclusterRecord,
} from "./records.ts";
import { StateReader } from "./state-reads.ts";
import type { StateStore } from "./state-store.ts";

const log = getLogger("store");

export abstract class SnapshotStore extends StateReader implements StateStore {
  private queue: Promise<unknown> = Promise.resolve();
  private readonly listeners = new Set<StoreListener>();

  protected constructor(clock: () => number) {
    super(clock);
  }

  /** Previously persisted state, or undefined when there is none yet. */
  protected abstract readSnapshot(): Promise<StoreState | undefined>;
  /** Make `state` durable; must be atomic (all or nothing). */
  protected abstract writeSnapshot(state: StoreState): Promise<void>;

  async load(): Promise<void> {
    this.state = (await this.readSnapshot()) ?? EMPTY_STATE;
  }

  async close(): Promise<void> {
    await this.queue.catch(() => {});
  }

  putVcluster(input: PutVclusterInput): Promise<PutVclusterResult> {
    return this.mutate((s, now) => mutations.putVcluster(s, input, now));
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

  ensureSecret(name: SecretName, generate: () => string): Promise<string> {
    return this.mutate((s) => mutations.ensureSecret(s, name, generate));
  }

  subscribe(listener: StoreListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private mutate<T>(apply: (state: StoreState, now: number) => Change<T>): Promise<T> {
    const run = async (): Promise<T> => {
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
    };
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
