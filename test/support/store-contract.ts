// The StateStore contract, one suite for every store: FileStore and MemoryStore in the unit
// tests (test/unit/store-contract.test.ts), KafkaStore against the broker in the e2e tests
// (test/e2e/store-kafka-contract.test.ts). What one store does, all do.
import { afterAll, describe, expect, test } from "bun:test";
import { StoreError } from "../../src/store/errors.ts";
import type { StoreEvent } from "../../src/store/events.ts";
import type { StateStore } from "../../src/store/state-store.ts";

export interface StoreUnderTest {
  /** A store on fresh, empty state (loaded). */
  fresh(): Promise<StoreFixture>;
}

export interface StoreFixture {
  readonly store: StateStore;
  /** Another instance over the same persisted state, loaded; absent for stores that persist nothing. */
  reopen?(): Promise<StateStore>;
}

const CREDENTIAL = { salt: "c2FsdA==", storedKey: "c3RvcmVk", serverKey: "c2VydmVy", iterations: 4096 };

async function storeError(p: Promise<unknown>): Promise<StoreError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(StoreError);
    return e as StoreError;
  }
  throw new Error("expected a StoreError");
}

export function storeContract(name: string, subject: StoreUnderTest, options: { timeoutMs?: number } = {}): void {
  const opened: StateStore[] = [];
  const fresh = async () => {
    const f = await subject.fresh();
    opened.push(f.store);
    return f;
  };
  const reopen = async (f: StoreFixture) => {
    const s = await f.reopen!();
    opened.push(s);
    return s;
  };
  afterAll(async () => {
    await Promise.all(opened.map((s) => s.close().catch(() => {})));
  });
  const t = (title: string, fn: () => Promise<void>) => test(title, fn, options.timeoutMs);

  describe(`StateStore contract: ${name}`, () => {
    t("starts empty, without tenancy", async () => {
      const { store } = await fresh();
      expect(store.listVclusters()).toEqual([]);
      expect(store.tenancyBegan()).toBe(false);
      expect(store.getVcluster("alice")).toBeUndefined();
    });

    t("putVcluster creates with the default prefix, then updates; events tell which", async () => {
      const { store } = await fresh();
      const events: StoreEvent[] = [];
      store.subscribe((e) => events.push(e));
      const first = await store.putVcluster({ name: "alice", labels: { team: "a" } });
      expect(first.created).toBe(true);
      expect(first.vcluster).toMatchObject({ name: "alice", prefix: "alice.", labels: { team: "a" } });
      const second = await store.putVcluster({ name: "alice", labels: { team: "b" } });
      expect(second.created).toBe(false);
      expect(store.getVcluster("alice")?.labels).toEqual({ team: "b" });
      expect(store.tenancyBegan()).toBe(true);
      expect(events.filter((e) => e.type === "vcluster-upserted").map((e) => e.type === "vcluster-upserted" && e.created)).toEqual([true, false]);
    });

    t("a prefix overlapping another vcluster's, or a bad name, is refused and changes nothing", async () => {
      const { store } = await fresh();
      await store.putVcluster({ name: "alice" });
      expect((await storeError(store.putVcluster({ name: "alice2", prefix: "alice.x" }))).code).toBe("conflict");
      expect((await storeError(store.putVcluster({ name: "Not A Name!" }))).code).toBe("invalid");
      expect(store.listVclusters().map((v) => v.name)).toEqual(["alice"]);
    });

    t("deleteVcluster removes it and its accounts; tenancy stays begun; an unknown one is not found", async () => {
      const { store } = await fresh();
      const events: StoreEvent[] = [];
      await store.putVcluster({ name: "alice" });
      await store.putScramAccount({ vcluster: "alice", username: "app", scram: { "SCRAM-SHA-256": CREDENTIAL } });
      store.subscribe((e) => events.push(e));
      const deleted = await store.deleteVcluster("alice");
      expect(deleted.name).toBe("alice");
      expect(store.getVcluster("alice")).toBeUndefined();
      expect(store.listServiceAccounts("alice")).toEqual([]);
      expect(store.tenancyBegan()).toBe(true);
      expect(events.map((e) => e.type)).toContain("vcluster-deleted");
      expect((await storeError(store.deleteVcluster("alice"))).code).toBe("not-found");
    });

    t("issued tokens create a token account; revocation is remembered and announced", async () => {
      const { store } = await fresh();
      await store.putVcluster({ name: "alice" });
      const now = Math.floor(Date.now() / 1000);
      await store.recordIssuedToken({ jti: "t1", vcluster: "alice", username: "app", issuedAt: now, expiresAt: now + 3600 });
      await store.recordIssuedToken({ jti: "t2", vcluster: "alice", username: "app", issuedAt: now, expiresAt: now + 3600 });
      expect(store.listTokens("alice").map((x) => x.jti).sort()).toEqual(["t1", "t2"]);
      expect(store.listServiceAccounts("alice").map((a) => [a.username, a.auth])).toEqual([["app", "token"]]);
      const events: StoreEvent[] = [];
      store.subscribe((e) => events.push(e));
      await store.revokeToken("alice", "t2");
      expect(store.isTokenRevoked("t2")).toBe(true);
      expect(store.isTokenRevoked("t1")).toBe(false);
      expect(events.map((e) => e.type)).toEqual(["token-revoked"]);
      expect((await storeError(store.revokeToken("alice", "no-such-token"))).code).toBe("not-found");
    });

    t("SCRAM accounts are created, rotated and deleted; never in another vcluster", async () => {
      const { store } = await fresh();
      await store.putVcluster({ name: "alice" });
      await store.putVcluster({ name: "bob" });
      const created = await store.putScramAccount({ vcluster: "alice", username: "app", scram: { "SCRAM-SHA-256": CREDENTIAL } });
      expect(created.auth).toBe("scram");
      await store.putScramAccount({ vcluster: "alice", username: "app", scram: { "SCRAM-SHA-512": CREDENTIAL } });
      expect(store.listServiceAccounts("alice")[0]?.scram).toEqual({ "SCRAM-SHA-512": CREDENTIAL });
      expect(store.listServiceAccounts("bob")).toEqual([]);
      expect((await storeError(store.putScramAccount({ vcluster: "carol", username: "x", scram: {} }))).code).toBe("not-found");
      await store.deleteServiceAccount("alice", "app");
      expect(store.listServiceAccounts("alice")).toEqual([]);
    });

    t("an unsubscribed listener hears nothing more", async () => {
      const { store } = await fresh();
      const events: StoreEvent[] = [];
      const stop = store.subscribe((e) => events.push(e));
      await store.putVcluster({ name: "alice" });
      stop();
      await store.putVcluster({ name: "bob" });
      expect(events.map((e) => e.type === "vcluster-upserted" ? e.vcluster.name : e.type)).toEqual(["alice"]);
    });

    t("what a store made durable, a new instance over the same state reads back", async () => {
      const f = await fresh();
      if (!f.reopen) return; // a memory store persists nothing
      await f.store.putVcluster({ name: "alice", prefix: "tenant-a-", labels: { team: "a" } });
      const now = Math.floor(Date.now() / 1000);
      await f.store.recordIssuedToken({ jti: "t1", vcluster: "alice", username: "app", issuedAt: now, expiresAt: now + 3600 });
      await f.store.revokeToken("alice", "t1");
      await f.store.putScramAccount({ vcluster: "alice", username: "svc", scram: { "SCRAM-SHA-256": CREDENTIAL } });
      const again = await reopen(f);
      expect(again.getVcluster("alice")).toEqual(f.store.getVcluster("alice")!);
      expect(again.isTokenRevoked("t1")).toBe(true);
      expect(again.listServiceAccounts("alice").map((a) => a.username).sort()).toEqual(["app", "svc"]);
      expect(again.tenancyBegan()).toBe(true);
    });
  });
}
