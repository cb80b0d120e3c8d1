// Vcluster ACLs in the store: created and deleted per vcluster, gone with their vcluster, kept
// across a file-store restart, and carried by the Kafka store's records (a change becomes
// per-key records; replaying them, compacted or not, rebuilds the same ACLs; a record that
// breaks the CreateAcls rules is refused on read-back).
import { describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FileStore } from "../../src/store/file-store.ts";
import { MemoryStore } from "../../src/store/memory-store.ts";
import * as mutations from "../../src/store/mutations.ts";
import { EMPTY_STATE, type StoreState } from "../../src/store/records.ts";
import { applyStateRecord, stateChangeRecords, type StateRecord } from "../../src/store/state-topic-records.ts";
import type { StoreEvent } from "../../src/store/events.ts";
import { type AclBinding, Op, Pattern, Permission, Res } from "../../src/model/acl-model.ts";
import { nodeFileRuntime } from "../support/node-runtime.ts";

const nodeFiles = nodeFileRuntime();

const write = (resourceName: string, principal = "User:bob"): AclBinding => ({
  resourceType: Res.TOPIC,
  resourceName,
  patternType: Pattern.LITERAL,
  principal,
  host: "*",
  operation: Op.WRITE,
  permissionType: Permission.ALLOW,
});
const any = {
  resourceType: Res.ANY,
  resourceName: null,
  patternType: Pattern.ANY,
  principal: null,
  host: null,
  operation: Op.ANY,
  permissionType: Permission.ANY,
};

describe("store: vcluster ACLs", () => {
  test("created per vcluster, idempotent, invalid ones refused one by one; other vclusters see none", async () => {
    const store = new MemoryStore();
    await store.load();
    const events: StoreEvent[] = [];
    store.subscribe((e) => events.push(e));
    await store.putVcluster({ name: "vc-a" });
    await store.putVcluster({ name: "vc-b" });
    const results = await store.createAcls("vc-a", [write("orders"), write("orders"), { ...write("x"), principal: "Group:ops" }]);
    expect(results.map((r) => r.ok)).toEqual([true, true, false]);
    expect(store.listAcls("vc-a")).toHaveLength(1);
    expect(store.listAcls("vc-b")).toHaveLength(0);
    expect(events.filter((e) => e.type === "acls-changed")).toEqual([{ type: "acls-changed", vcluster: "vc-a" }]);
    // A filter of vc-b never reaches vc-a's ACLs.
    expect(await store.deleteAcls("vc-b", [any])).toEqual([[]]);
    expect(store.listAcls("vc-a")).toHaveLength(1);
    await expect(store.createAcls("vc-missing", [write("orders")])).rejects.toThrow("does not exist");
  });

  test("deleted by filter (each filter reports what it removed), and with their vcluster", async () => {
    const store = new MemoryStore();
    await store.load();
    await store.putVcluster({ name: "vc-a" });
    await store.createAcls("vc-a", [write("orders"), write("billing"), write("orders", "User:carol")]);
    const [removed] = await store.deleteAcls("vc-a", [{ ...any, principal: "User:bob", resourceName: "orders", patternType: Pattern.LITERAL }]);
    expect(removed!.map((a) => a.resourceName)).toEqual(["orders"]);
    expect(store.listAcls("vc-a")).toHaveLength(2);
    await store.deleteVcluster("vc-a");
    await store.putVcluster({ name: "vc-a" });
    expect(store.listAcls("vc-a")).toHaveLength(0);
  });

  test("aclEnabled and superUsers are vcluster settings that change in place", async () => {
    const store = new MemoryStore();
    await store.load();
    await store.putVcluster({ name: "vc-a" });
    const { vcluster } = await store.putVcluster({ name: "vc-a", aclEnabled: true, superUsers: ["User:admin"] });
    expect(vcluster).toMatchObject({ aclEnabled: true, superUsers: ["User:admin"] });
    expect((await store.putVcluster({ name: "vc-a", labels: { a: "b" } })).vcluster).toMatchObject({ aclEnabled: true });
  });

  test("a file store keeps them across a restart; a hand-edited invalid ACL is skipped on load", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "kgate-acl-")), "store.json");
    const first = new FileStore(path, nodeFiles);
    await first.load();
    await first.putVcluster({ name: "vc-a", aclEnabled: true });
    await first.createAcls("vc-a", [write("orders")]);
    await first.close();
    const json = JSON.parse(readFileSync(path, "utf8"));
    json.acls["vc-a/forged"] = { ...write("x"), vcluster: "vc-a", principal: "Group:root" };
    writeFileSync(path, JSON.stringify(json));
    const second = new FileStore(path, nodeFiles);
    await second.load();
    expect(second.listAcls("vc-a").map((a) => a.resourceName)).toEqual(["orders"]);
    expect(second.getVcluster("vc-a")?.aclEnabled).toBe(true);
  });

  test("Kafka store records: replaying the log, or its compaction, rebuilds the ACLs; a forged record is refused", () => {
    const log: StateRecord[] = [];
    let state: StoreState = EMPTY_STATE;
    const step = <T>(change: mutations.Change<T>) => {
      log.push(...stateChangeRecords(state, change.state));
      state = change.state;
    };
    const now = Date.parse("2030-01-01T00:00:00Z");
    step(mutations.putVcluster(state, { name: "vc-a", aclEnabled: true, superUsers: ["User:root"] }, now));
    step(mutations.createAcls(state, "vc-a", [write("orders"), write("billing")]));
    step(mutations.deleteAcls(state, "vc-a", [{ ...any, resourceName: "billing" }]));
    step(mutations.putVcluster(state, { name: "vc-a", labels: { x: "y" } }, now));
    expect(log.some((r) => r.key.startsWith("acl/vc-a/") && r.value === null)).toBe(true);
    const replay = (records: StateRecord[]) =>
      records.reduce((s, r) => {
        const applied = applyStateRecord(s, r);
        if (!applied.ok) throw new Error(applied.problem);
        return applied.state;
      }, EMPTY_STATE);
    const last = new Map<string, number>();
    log.forEach((r, i) => last.set(r.key, i));
    for (const replayed of [replay(log), replay(log.filter((r, i) => last.get(r.key) === i))]) {
      expect(replayed.acls).toEqual(state.acls);
      expect(replayed.vclusters["vc-a"]).toMatchObject({ aclEnabled: true, superUsers: ["User:root"] });
    }
    const forged = applyStateRecord(state, { key: "acl/vc-a/x", value: JSON.stringify({ ...write("x"), vcluster: "vc-a" }) });
    expect(forged.ok).toBe(false); // the key must be the binding's own
    const bad = { ...write("x"), vcluster: "vc-a", resourceType: Res.USER };
    const badKey = `acl/vc-a/${
      JSON.stringify([bad.resourceType, bad.patternType, bad.resourceName, bad.principal, bad.host, bad.operation, bad.permissionType])
    }`;
    expect(applyStateRecord(state, { key: badKey, value: JSON.stringify(bad) }).ok).toBe(false);
    const applied = applyStateRecord(state, { key: [...last.keys()].find((k) => k.startsWith("acl/"))!, value: null });
    expect(applied.ok && applied.events).toEqual([{ type: "acls-changed", vcluster: "vc-a" }]);
  });
});
