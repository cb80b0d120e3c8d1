// The Kafka store's record mapping: a change becomes per-key records, replaying them rebuilds the
// state, and so does replaying the compacted log (the latest record per key) — the property the
// shared store depends on.
import { describe, expect, test } from "bun:test";
import * as mutations from "../../src/store/mutations.ts";
import { EMPTY_STATE, type StoreState } from "../../src/store/records.ts";
import { applyStateRecord, stateChangeRecords, type StateRecord } from "../../src/store/state-topic-records.ts";

const NOW = Date.parse("2030-01-01T00:00:00Z");
const SECONDS = NOW / 1000;

function replay(records: readonly StateRecord[], from: StoreState = EMPTY_STATE): StoreState {
  return records.reduce((state, record) => {
    const applied = applyStateRecord(state, record);
    if (!applied.ok) throw new Error(applied.problem);
    return applied.state;
  }, from);
}

/** What log compaction leaves: the latest record of each key, in log order. */
function compact(records: readonly StateRecord[]): StateRecord[] {
  const last = new Map<string, number>();
  records.forEach((r, i) => last.set(r.key, i));
  return records.filter((r, i) => last.get(r.key) === i);
}

/** Runs mutations the way the Kafka store does, returning the whole log they write. */
function history(): { log: StateRecord[]; final: StoreState } {
  const log: StateRecord[] = [];
  let state = EMPTY_STATE;
  const step = <T>(change: mutations.Change<T>) => {
    const next = mutations.pruneExpired(change.state, NOW);
    log.push(...stateChangeRecords(state, next));
    state = next;
  };
  step(mutations.putVcluster(state, { name: "vc-alice" }, NOW));
  step(mutations.putVcluster(state, { name: "vc-bob", prefix: "bob_", labels: { team: "b" } }, NOW));
  step(mutations.recordIssuedToken(state, { jti: "t1", vcluster: "vc-alice", username: "alice", issuedAt: SECONDS, expiresAt: SECONDS + 60 }, NOW));
  step(mutations.recordIssuedToken(state, { jti: "t2", vcluster: "vc-bob", username: "bob", issuedAt: SECONDS, expiresAt: SECONDS + 60 }, NOW));
  step(mutations.revokeToken(state, "vc-bob", "t2"));
  step(mutations.putVcluster(state, { name: "vc-bob", labels: { team: "c" } }, NOW));
  step(mutations.deleteVcluster(state, "vc-alice", NOW));
  step(mutations.putVcluster(state, { name: "vc-alice" }, NOW + 1000));
  return { log, final: state };
}

describe("state topic records", () => {
  test("replaying the log, or the compacted log, rebuilds the state", () => {
    const { log, final } = history();
    expect(replay(log)).toEqual(final);
    expect(replay(compact(log))).toEqual(final);
    expect(compact(log).length).toBeLessThan(log.length);
  });

  test("keys name the kind and id; a deletion writes tombstones", () => {
    let state = mutations.putVcluster(EMPTY_STATE, { name: "vc-a" }, NOW).state;
    state = mutations.recordIssuedToken(state, { jti: "t1", vcluster: "vc-a", username: "u", issuedAt: SECONDS, expiresAt: SECONDS + 60 }, NOW).state;
    const next = mutations.deleteVcluster(state, "vc-a", NOW).state;
    expect(stateChangeRecords(state, next)).toEqual([
      { key: "vcluster/vc-a", value: null },
      { key: "account/vc-a/u", value: null },
      { key: "token/t1", value: null },
      { key: "revoked/t1", value: JSON.stringify({ jti: "t1", vcluster: "vc-a", expiresAt: SECONDS + 60 }) },
      { key: "deleted/vc-a", value: JSON.stringify({ name: "vc-a", createdAt: state.vclusters["vc-a"]!.createdAt }) },
    ]);
    expect(stateChangeRecords(next, next)).toEqual([]);
  });

  test("secrets an older kgate wrote to the topic are never used, only reported for removal", () => {
    const applied = applyStateRecord(EMPTY_STATE, { key: "secret/adminToken/node-a", value: '"leaked-admin-token"' });
    expect(applied).toEqual({ ok: true, state: EMPTY_STATE, events: [], legacySecret: true });
    expect(JSON.stringify(replay([{ key: "secret/tokenSecret/node-a", value: '"leaked-signing-key"' }]))).not.toContain("leaked");
  });

  test("applying a record the state already holds changes nothing and emits nothing", () => {
    const records = stateChangeRecords(EMPTY_STATE, mutations.putVcluster(EMPTY_STATE, { name: "vc-a" }, NOW).state);
    const once = applyStateRecord(EMPTY_STATE, records[0]!);
    expect(once.ok && once.events.map((e) => e.type)).toEqual(["vcluster-upserted"]);
    const twice = once.ok ? applyStateRecord(once.state, records[0]!) : once;
    expect(twice.ok && twice.events).toEqual([]);
    expect(twice.ok && once.ok && twice.state).toBe(once.ok && once.state);
  });

  test("records this kgate cannot read are reported, not applied", () => {
    for (
      const [key, value, why] of [
        ["nokind", "{}", /kind/],
        ["vcluster/vc-a", "{", /not JSON/],
        ["vcluster/vc-a", '{"name":"vc-b","prefix":"b.","createdAt":"2030-01-01T00:00:00.000Z"}', /holds vcluster "vc-b"/],
        ["vcluster/vc-a", '{"name":"vc-a"}', /prefix/],
        ["future/x", "{}", /unknown kind "future"/],
      ] as const
    ) {
      const applied = applyStateRecord(EMPTY_STATE, { key, value });
      expect(applied.ok).toBe(false);
      if (!applied.ok) expect(applied.problem).toMatch(why);
    }
  });
});
