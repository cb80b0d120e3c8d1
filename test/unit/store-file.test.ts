import { describe, expect, test } from "bun:test";
import { mkdtemp, readdir, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { StoreError } from "../../src/store/errors.ts";
import type { StoreEvent } from "../../src/store/events.ts";
import { FileStore } from "../../src/store/file-store.ts";
import { nodeFileRuntime, writeText } from "../support/node-runtime.ts";

const T0 = Date.parse("2030-01-01T00:00:00Z");

async function freshStore(clock = () => T0) {
  const dir = await mkdtemp(join(tmpdir(), "kgate-store-"));
  const path = join(dir, "data", "store.json");
  const files = nodeFileRuntime();
  const open = async () => {
    const store = new FileStore(path, files, clock);
    await store.load();
    return store;
  };
  return { dir, path, files, open };
}

describe("FileStore", () => {
  test("starts empty when the file does not exist yet, and creates its directory on first write", async () => {
    const { path, open } = await freshStore();
    const store = await open();
    expect(store.listVclusters()).toEqual([]);
    await store.putVcluster({ name: "alice" });
    expect(JSON.parse(await readFile(path, "utf8")).format).toBe("kgate-store");
  });

  test("a restart keeps vclusters, accounts, tokens and revocations", async () => {
    const { open } = await freshStore();
    const before = await open();
    await before.putVcluster({ name: "alice", labels: { team: "a" } });
    await before.putVcluster({ name: "bob", prefix: "tenant-bob-" });
    const exp = T0 / 1000 + 3600;
    await before.recordIssuedToken({ jti: "t1", vcluster: "alice", username: "al", issuedAt: T0 / 1000, expiresAt: exp });
    await before.recordIssuedToken({ jti: "t2", vcluster: "alice", username: "al", issuedAt: T0 / 1000, expiresAt: exp });
    await before.revokeToken("alice", "t2");
    await before.close();

    const after = await open();
    expect(after.listVclusters()).toEqual(before.listVclusters());
    expect(after.getVcluster("bob")?.prefix).toBe("tenant-bob-");
    expect(after.getVcluster("alice")?.labels).toEqual({ team: "a" });
    expect(after.listServiceAccounts("alice").map((a) => [a.username, a.auth])).toEqual([["al", "token"]]);
    expect(after.listTokens("alice").map((t) => t.jti)).toEqual(["t1"]);
    expect(after.isTokenRevoked("t2")).toBe(true);
  });

  test("50 concurrent PUTs lose nothing", async () => {
    const { open } = await freshStore();
    const store = await open();
    const names = Array.from({ length: 50 }, (_, i) => `vc-${i}`);
    const results = await Promise.all(names.map((name) => store.putVcluster({ name })));
    expect(results.every((r) => r.created)).toBe(true);
    expect(store.listVclusters()).toHaveLength(50);
    expect((await open()).listVclusters().map((v) => v.name).sort()).toEqual([...names].sort());
  });

  test("concurrent conflicting PUTs: exactly one wins", async () => {
    const { open } = await freshStore();
    const store = await open();
    const outcomes = await Promise.allSettled([
      store.putVcluster({ name: "a", prefix: "shared." }),
      store.putVcluster({ name: "b", prefix: "shared_" }),
    ]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(["fulfilled", "rejected"]);
    expect(store.listVclusters()).toHaveLength(1);
  });

  test("a crash between temp write and rename leaves the previous state intact", async () => {
    const { dir, path, files, open } = await freshStore();
    const store = await open();
    await store.putVcluster({ name: "alice" });
    const before = await readFile(path, "utf8");

    files.crashBeforeRename = true;
    await expect(store.putVcluster({ name: "bob" })).rejects.toThrow("simulated crash");
    // The failed change is not visible in memory either.
    expect(store.getVcluster("bob")).toBeUndefined();
    expect(await readFile(path, "utf8")).toBe(before);
    expect((await readdir(join(dir, "data"))).some((f) => f.includes(".tmp-"))).toBe(true);

    // "Restart": the leftover temp file is ignored, the last good state loads.
    files.crashBeforeRename = false;
    const restarted = await open();
    expect(restarted.listVclusters().map((v) => v.name)).toEqual(["alice"]);
    // And the store keeps working afterwards.
    await restarted.putVcluster({ name: "bob" });
    expect((await open()).listVclusters().map((v) => v.name)).toEqual(["alice", "bob"]);
  });

  test("a store file that is not valid refuses to load instead of being overwritten", async () => {
    const { path, open } = await freshStore();
    await writeText(path, "{not json");
    await expect(open()).rejects.toThrow("is not valid JSON");
    await writeText(path, JSON.stringify({ format: "kgate-store", version: 1, vclusters: [] }));
    await expect(open()).rejects.toThrow("vclusters");
    expect(await readFile(path, "utf8")).toContain('"vclusters":[]');
  });

  test("subscribers get events after the change is durable; a throwing listener does no harm", async () => {
    const { open } = await freshStore();
    const store = await open();
    const events: StoreEvent[] = [];
    store.subscribe(() => {
      throw new Error("bad listener");
    });
    const unsubscribe = store.subscribe((e) => events.push(e));
    await store.putVcluster({ name: "alice" });
    await store.putVcluster({ name: "alice" }); // no change, no event
    await store.putVcluster({ name: "alice", labels: { x: "1" } });
    const exp = T0 / 1000 + 60;
    await store.recordIssuedToken({ jti: "j", vcluster: "alice", username: "u", issuedAt: T0 / 1000, expiresAt: exp });
    await store.revokeToken("alice", "j");
    await store.deleteVcluster("alice");
    unsubscribe();
    await store.putVcluster({ name: "bob" });
    expect(events.map((e) => e.type)).toEqual([
      "vcluster-upserted",
      "vcluster-upserted",
      "service-account-upserted",
      "token-issued",
      "token-revoked",
      "vcluster-deleted",
    ]);
    expect(events[0]).toMatchObject({ type: "vcluster-upserted", created: true, vcluster: { name: "alice" } });
    expect(events[1]).toMatchObject({ created: false, vcluster: { labels: { x: "1" } } });
  });

  test("names that are Object.prototype members are ordinary names", async () => {
    const { open } = await freshStore();
    const store = await open();
    expect(store.getVcluster("constructor")).toBeUndefined();
    await expect(store.deleteVcluster("constructor")).rejects.toThrow("does not exist");
    await expect(store.revokeToken("constructor", "constructor")).rejects.toThrow("does not exist");
    expect((await store.putVcluster({ name: "constructor" })).created).toBe(true);
    expect((await open()).getVcluster("constructor")?.prefix).toBe("constructor.");
  });

  test("refusals carry a code the admin API maps to a status", async () => {
    const { open } = await freshStore();
    const store = await open();
    await store.putVcluster({ name: "alice" });
    const codeOf = (p: Promise<unknown>) => p.then(() => "ok", (e: StoreError) => e.code);
    expect(await codeOf(store.putVcluster({ name: "passthrough" }))).toBe("conflict");
    expect(await codeOf(store.putVcluster({ name: "Bad" }))).toBe("invalid");
    expect(await codeOf(store.putVcluster({ name: "x", prefix: "_x" }))).toBe("invalid");
    expect(await codeOf(store.putVcluster({ name: "x", prefix: "alice_" }))).toBe("conflict");
    expect(await codeOf(store.putVcluster({ name: "alice", prefix: "other." }))).toBe("conflict");
    expect(await codeOf(store.deleteVcluster("nobody"))).toBe("not-found");
    expect(await codeOf(store.revokeToken("alice", "nope"))).toBe("not-found");
    expect(await codeOf(store.recordIssuedToken({ jti: "j", vcluster: "nobody", username: "u", issuedAt: 0, expiresAt: 1 }))).toBe("not-found");
  });
});
