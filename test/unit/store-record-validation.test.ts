// Records read back from a store (the Kafka state topic, the snapshot file) pass the same rules as
// admin writes; conflicting writes from two nodes are decided by log order; revocations survive
// a writer whose clock runs ahead.
import { describe, expect, test } from "bun:test";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { StoreError } from "../../src/store/errors.ts";
import { FileStore } from "../../src/store/file-store.ts";
import { MemoryStore } from "../../src/store/memory-store.ts";
import * as mutations from "../../src/store/mutations.ts";
import { internalTopicProblem } from "../../src/model/prefix-rules.ts";
import { EMPTY_STATE, type StoreState } from "../../src/store/records.ts";
import { acceptedRecord, applyStateRecord, stateChangeRecords, type StateRecord } from "../../src/store/state-topic-records.ts";
import { nodeFileRuntime, writeText } from "../support/node-runtime.ts";

const NOW = Date.parse("2030-01-01T00:00:00Z");
const SECONDS = NOW / 1000;
const HOUR = 3600_000;
const vclusterRecord = (name: string, prefix: string, createdAt = new Date(NOW).toISOString()): StateRecord => ({
  key: `vcluster/${name}`,
  value: JSON.stringify({ name, prefix, createdAt }),
});

/** Applies records in log order the way a follower does: refused ones are reported and skipped. */
function follow(records: readonly StateRecord[], from: StoreState = EMPTY_STATE, now = NOW) {
  let state = from;
  const refused: string[] = [];
  for (const record of records) {
    const applied = applyStateRecord(state, record, { now });
    if (applied.ok) state = applied.state;
    else refused.push(applied.problem);
  }
  return { state, refused };
}

describe("records read back pass the admin rules", () => {
  const base = follow([vclusterRecord("vc-alice", "vc-alice.")]).state;

  for (
    const [what, record, why] of [
      ["the reserved name passthrough", vclusterRecord("passthrough", "pt."), /reserved/],
      ["a name that is not a DNS label", vclusterRecord("Bad_Name", "bad."), /DNS label/],
      ["an empty prefix", vclusterRecord("vc-empty", ""), /empty/],
      ["a prefix reaching kgate's internal topics", vclusterRecord("vc-internal", "_kgate_"), /letter or digit|internal/],
      ["a prefix overlapping another vcluster's", vclusterRecord("vc-alice2", "vc-alice.x"), /overlaps/],
      ["a prefix colliding after '.'/'_' folding", vclusterRecord("vc-alice3", "vc-alice_"), /collides/],
      ["a changed prefix for an existing vcluster", vclusterRecord("vc-alice", "other."), /prefix/],
      ["a createdAt that is not a timestamp", vclusterRecord("vc-time", "time.", "yesterday"), /createdAt/],
    ] as const
  ) {
    test(`a vcluster record with ${what} is refused with the reason`, () => {
      const applied = applyStateRecord(base, record, { now: NOW });
      expect(applied.ok).toBe(false);
      if (!applied.ok) expect(applied.problem).toMatch(why);
    });
  }

  test("accounts and tokens with names the admin API would refuse are refused", () => {
    for (
      const record of [
        { key: "account/Bad_Name/u", value: JSON.stringify({ vcluster: "Bad_Name", username: "u", auth: "token", createdAt: new Date(NOW).toISOString() }) },
        { key: "token/t1", value: JSON.stringify({ jti: "t1", vcluster: "Bad_Name", username: "u", issuedAt: SECONDS, expiresAt: SECONDS + 60 }) },
        { key: "token/", value: JSON.stringify({ jti: "", vcluster: "vc-alice", username: "u", issuedAt: SECONDS, expiresAt: SECONDS + 60 }) },
      ]
    ) {
      expect(applyStateRecord(base, record, { now: NOW }).ok).toBe(false);
    }
  });

  test("a valid record is still applied after refused ones", () => {
    const { state, refused } = follow([vclusterRecord("passthrough", "pt."), vclusterRecord("vc-bob", "vc-bob.")], base);
    expect(refused).toHaveLength(1);
    expect(Object.keys(state.vclusters).sort()).toEqual(["vc-alice", "vc-bob"]);
  });

  test("a prefix may not reach a configured internal topic, on admin writes too", () => {
    expect(internalTopicProblem("kgate-", ["kgate-state"])).toMatch(/internal topic "kgate-state"/);
    expect(internalTopicProblem("kgate_", ["kgate.state"])).toMatch(/internal topic/);
    expect(internalTopicProblem("tenant.", ["kgate-state"])).toBeUndefined();
    expect(internalTopicProblem("_kgate")).toMatch(/internal/);
    expect(() => mutations.putVcluster(EMPTY_STATE, { name: "vc-k", prefix: "kgate-" }, NOW, { internalTopics: ["kgate-state"] }))
      .toThrow(StoreError);
    const applied = applyStateRecord(EMPTY_STATE, vclusterRecord("vc-k", "kgate-"), { now: NOW, internalTopics: ["kgate-state"] });
    expect(applied.ok).toBe(false);
  });
});

describe("conflicting writes from two nodes: the log order decides", () => {
  test("two overlapping vclusters checked against the same state: the first in the log wins", () => {
    // Both nodes check their change against the same state and both pass; the log then holds both.
    const onA = mutations.putVcluster(EMPTY_STATE, { name: "vc-a", prefix: "shared." }, NOW);
    const onB = mutations.putVcluster(EMPTY_STATE, { name: "vc-b", prefix: "shared.b." }, NOW);
    const log = [...stateChangeRecords(EMPTY_STATE, onA.state), ...stateChangeRecords(EMPTY_STATE, onB.state)];
    const { state, refused } = follow(log);
    expect(Object.keys(state.vclusters)).toEqual(["vc-a"]);
    expect(refused).toEqual([expect.stringMatching(/vc-b.*overlaps prefix "shared\." of vcluster "vc-a"/)]);
    // Every node replays the same log to the same state, whichever order it saw the writes in.
    expect(follow(log).state).toEqual(state);
  });

  test("the same name created twice with different prefixes: the first stays", () => {
    const first = vclusterRecord("vc-x", "first.");
    const second = vclusterRecord("vc-x", "second.", new Date(NOW + 5).toISOString());
    const { state, refused } = follow([first, second]);
    expect(state.vclusters["vc-x"]?.prefix).toBe("first.");
    expect(refused).toHaveLength(1);
  });

  test("a label change of a vcluster deleted and re-created meanwhile is refused", () => {
    const created = follow([vclusterRecord("vc-x", "x.")]).state;
    const relabelled = mutations.putVcluster(created, { name: "vc-x", labels: { a: "b" } }, NOW).state;
    const relabel = stateChangeRecords(created, relabelled);
    const recreated = vclusterRecord("vc-x", "x2.", new Date(NOW + 1000).toISOString());
    const { state, refused } = follow([{ key: "vcluster/vc-x", value: null }, recreated, ...relabel], created);
    expect(state.vclusters["vc-x"]?.prefix).toBe("x2.");
    expect(refused).toHaveLength(1);
  });

  test("the refused writer's repair keeps a compacted log replaying to the state every node has", () => {
    /** What log compaction leaves: the latest record of each key, in log order. */
    const compact = (log: readonly StateRecord[]) => log.filter((r, i) => !log.slice(i + 1).some((later) => later.key === r.key));
    const a = vclusterRecord("vc-a", "shared.");
    const b = vclusterRecord("vc-b", "shared.b.");
    const refusedState = follow([a, b]).state; // b refused
    const deleteA = { key: "vcluster/vc-a", value: null };
    // Without a repair, vc-a's deletion (and its tombstone's removal) leaves b alone in the log.
    const unrepaired = compact([a, b, deleteA]).filter((r) => r.value !== null);
    expect(Object.keys(follow(unrepaired).state.vclusters)).toEqual(["vc-b"]);
    // The writer of b re-writes what the state holds for its key: nothing, so a tombstone.
    const repair = acceptedRecord(refusedState, b.key);
    expect(repair).toEqual({ key: "vcluster/vc-b", value: null });
    const live = follow([a, b, repair, deleteA]).state;
    const repaired = compact([a, b, repair, deleteA]).filter((r) => r.value !== null);
    expect(follow(repaired).state).toEqual(live);
    expect(Object.keys(live.vclusters)).toEqual([]);
  });

  test("a label change racing the deletion of its vcluster on another node does not bring it back", () => {
    const created = follow([vclusterRecord("vc-x", "x.")]).state;
    const deletion = stateChangeRecords(created, mutations.deleteVcluster(created, "vc-x", NOW).state);
    const relabel = stateChangeRecords(created, mutations.putVcluster(created, { name: "vc-x", labels: { a: "b" } }, NOW).state);
    const { state, refused } = follow([...deletion, ...relabel], created);
    expect(state.vclusters).toEqual({});
    expect(refused).toEqual([expect.stringMatching(/was deleted/)]);
    // Re-creating the name afterwards is a new vcluster, and allowed.
    const again = mutations.putVcluster(state, { name: "vc-x" }, NOW + 1000);
    expect(follow(stateChangeRecords(state, again.state), state).state.vclusters["vc-x"]?.prefix).toBe("vc-x.");
  });

  test("MemoryStore and FileStore refuse the same conflicts as the topic follower", async () => {
    const dir = await mkdtemp(join(tmpdir(), "kgate-conflict-"));
    for (const store of [new MemoryStore(() => NOW), new FileStore(join(dir, "store.json"), nodeFileRuntime(), () => NOW)]) {
      await store.load();
      await store.putVcluster({ name: "vc-a", prefix: "shared." });
      await expect(store.putVcluster({ name: "vc-b", prefix: "shared.b." })).rejects.toThrow(/overlaps/);
      await expect(store.putVcluster({ name: "vc-a", prefix: "other." })).rejects.toThrow(/prefix cannot change/);
    }
  });
});

describe("revocations and clock skew", () => {
  const revokedState = () => {
    let s = follow([vclusterRecord("vc-a", "vc-a.")]).state;
    s = mutations.recordIssuedToken(s, { jti: "t1", vcluster: "vc-a", username: "u", issuedAt: SECONDS, expiresAt: SECONDS + 3600 }, NOW).state;
    return mutations.revokeToken(s, "vc-a", "t1").state;
  };

  test("a writer whose clock runs two hours ahead does not drop a revocation for the other nodes", () => {
    const before = revokedState();
    const fastNow = NOW + 2 * HOUR; // past the token's exp on the fast node only
    const written = stateChangeRecords(before, mutations.pruneExpired(before, fastNow));
    const onSlowerNode = follow(written, before, NOW + 30 * 60_000);
    expect(Object.hasOwn(onSlowerNode.state.revokedTokens, "t1")).toBe(true);
  });

  test("a revocation tombstone for a token still valid by the reader's clock is not applied", () => {
    const before = revokedState();
    const { state } = follow([{ key: "revoked/t1", value: null }], before, NOW + 30 * 60_000);
    expect(Object.hasOwn(state.revokedTokens, "t1")).toBe(true);
    const later = follow([{ key: "revoked/t1", value: null }], before, NOW + 2 * HOUR);
    expect(Object.hasOwn(later.state.revokedTokens, "t1")).toBe(false);
  });

  test("deleting a vcluster revokes all its tokens, even ones the deleting node thinks expired", () => {
    const before = revokedState();
    const withT2 = mutations.recordIssuedToken(before, { jti: "t2", vcluster: "vc-a", username: "u", issuedAt: SECONDS, expiresAt: SECONDS + 60 }, NOW).state;
    const deleted = mutations.deleteVcluster(withT2, "vc-a", NOW + 5 * 60_000).state;
    expect(Object.hasOwn(deleted.revokedTokens, "t2")).toBe(true);
  });

  test("pruning still forgets revocations long past their expiry", () => {
    const before = revokedState();
    const pruned = mutations.pruneExpired(before, NOW + 3 * 24 * HOUR);
    expect(pruned.revokedTokens).toEqual({});
    expect(pruned.tokens).toEqual({});
  });
});

describe("the snapshot file is validated record by record", () => {
  test("bad records in store.json are skipped, good ones kept", async () => {
    const dir = await mkdtemp(join(tmpdir(), "kgate-validate-"));
    const path = join(dir, "store.json");
    const createdAt = new Date(NOW).toISOString();
    await writeText(
      path,
      JSON.stringify({
        format: "kgate-store",
        version: 1,
        vclusters: {
          "vc-alice": { name: "vc-alice", prefix: "vc-alice.", createdAt },
          passthrough: { name: "passthrough", prefix: "pt.", createdAt },
          "vc-overlap": { name: "vc-overlap", prefix: "vc-alice.o", createdAt: new Date(NOW + 1).toISOString() },
          "vc-under": { name: "vc-under", prefix: "_kgate_", createdAt },
        },
        serviceAccounts: {},
        tokens: {},
        revokedTokens: {},
        secrets: {},
      }),
    );
    const store = new FileStore(path, nodeFileRuntime(), () => NOW);
    await store.load();
    expect(store.listVclusters().map((v) => v.name)).toEqual(["vc-alice"]);
  });
});
