import type { StoreRules } from "./mutations.ts";
import type { ParsedSnapshot } from "./snapshot-format.ts";
import { SnapshotStore } from "./snapshot-store.ts";

/** Same rules as the file store, nothing persisted: for tests and throwaway gateways. */
export class MemoryStore extends SnapshotStore {
  protected readonly source = "memory";

  constructor(clock: () => number = Date.now, rules: StoreRules = {}) {
    super(clock, rules);
  }

  protected readSnapshot(): Promise<ParsedSnapshot | undefined> {
    return Promise.resolve(undefined);
  }

  protected writeSnapshot(): Promise<void> {
    return Promise.resolve();
  }
}
