import type { StoreState } from "./records.ts";
import { SnapshotStore } from "./snapshot-store.ts";

/** Same rules as the file store, nothing persisted: for tests and throwaway gateways. */
export class MemoryStore extends SnapshotStore {
  constructor(clock: () => number = Date.now) {
    super(clock);
  }

  protected readSnapshot(): Promise<StoreState | undefined> {
    return Promise.resolve(undefined);
  }

  protected writeSnapshot(): Promise<void> {
    return Promise.resolve();
  }
}
