// Tenancy is a state of the store (invariant 2): once a store has held a vcluster it stays
// tenanted — deleting the last vcluster, a snapshot round trip and a replay of the state topic
// (compacted or not) all keep the marker, so the transparent proxy never comes back.
import { describe, expect, test } from "bun:test";
import { MemoryStore } from "../../src/store/memory-store.ts";
import * as mutations from "../../src/store/mutations.ts";
import { EMPTY_STATE, type StoreState } from "../../src/store/records.ts";
import { parseSnapshot, serializeSnapshot } from "../../src/store/snapshot-format.ts";
import { applyStateRecord, stateChangeRecords, type StateRecord } from "../../src/store/state-topic-records.ts";

const NOW = Date.parse("2030-01-01T00:00:00Z");

function replay(records: readonly StateRecord[]): StoreState {
  return records.reduce((state, record) => {
    const applied = applyStateRecord(state, record);
    if (!applied.ok) throw new Error(applied.problem);
    return applied.state;
  }, EMPTY_STATE);
}

describe("tenancy marker", () => {
  test("a new store is not tenanted; creating and deleting the only vcluster leaves it tenanted", async () => {
    const store = new MemoryStore(() => NOW);
    await store.load();
    expect(store.tenancyBegan()).toBe(false);
    await store.putVcluster({ name: "vc-a" });
    await store.deleteVcluster("vc-a");
    expect(store.listVclusters()).toEqual([]);
    expect(store.tenancyBegan()).toBe(true);
  });

  test("the marker survives a snapshot round trip", () => {
    const created = mutations.putVcluster(EMPTY_STATE, { name: "vc-a" }, NOW).state;
    const deleted = mutations.deleteVcluster(created, "vc-a", NOW).state;
    const back = replay(parseSnapshot(serializeSnapshot(deleted), "test").records);
    expect(back.tenancySince).toBe(new Date(NOW).toISOString());
  });

  test("the state topic carries it once, and neither a tombstone nor a later marker ends it", () => {
    const created = mutations.putVcluster(EMPTY_STATE, { name: "vc-a" }, NOW).state;
    const log = stateChangeRecords(EMPTY_STATE, created);
    const second = mutations.putVcluster(created, { name: "vc-b" }, NOW + 1000).state;
    log.push(...stateChangeRecords(created, second));
    expect(log.filter((r) => r.key === "tenancy/since")).toHaveLength(1);
    log.push({ key: "vcluster/vc-a", value: null }, { key: "vcluster/vc-b", value: null });
    log.push({ key: "tenancy/since", value: null }, { key: "tenancy/since", value: JSON.stringify("2040-01-01T00:00:00.000Z") });
    const state = replay(log);
    expect(state.vclusters).toEqual({});
    expect(state.tenancySince).toBe(new Date(NOW).toISOString());
  });

  test("a malformed marker is a problem to log, not a state", () => {
    const applied = applyStateRecord(EMPTY_STATE, { key: "tenancy/since", value: JSON.stringify("not a time") });
    expect(applied.ok).toBe(false);
  });
});
