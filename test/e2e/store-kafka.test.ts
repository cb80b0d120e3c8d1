// `store.type: kafka` against a real broker: KafkaStore instances sharing a state topic in one
// process, replay after a restart, and two kgate processes sharing one state through it.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { runtime } from "../../src/runtime/index.ts";
import type { StoreEvent } from "../../src/store/events.ts";
import { KafkaStore } from "../../src/store/kafka-store.ts";
import { kafkaBootstrap, kafkaCli } from "../support/kafka.ts";
import { adminCall, type KgateProcess, type KgateRuntime, startKgate } from "../support/kgate-process.ts";

let bootstrap: string;
const stores: KafkaStore[] = [];

beforeAll(async () => {
  bootstrap = await kafkaBootstrap();
});

const RUN = `${Date.now()}_${Math.random().toString(36).slice(2, 8)}`;
const uniqueTopic = (what: string) => `_kgate_state_test_${RUN}_${what}`;

afterAll(async () => {
  await Promise.all(stores.map((s) => s.close()));
  // After the kgate processes have stopped (nested afterAll hooks run first).
  await kafkaCli("kafka-topics", ["--bootstrap-server", bootstrap, "--delete", "--topic", `_kgate_state_test_${RUN}_.*`]);
});

async function openStore(topic: string): Promise<KafkaStore> {
  const store = new KafkaStore({ runtime, backing: { bootstrapServers: [bootstrap] }, topic });
  stores.push(store);
  await store.load();
  return store;
}

/** Polls `check` until it holds, for at most `ms`; returns how long that took. */
async function within(ms: number, check: () => boolean | Promise<boolean>): Promise<number> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > ms) throw new Error(`not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return Date.now() - start;
}

describe("KafkaStore", () => {
  test("creates its topic compacted, with one partition", async () => {
    const topic = uniqueTopic("create");
    await openStore(topic);
    const res = await kafkaCli("kafka-topics", ["--bootstrap-server", bootstrap, "--describe", "--topic", topic]);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/PartitionCount: 1\b/);
    expect(res.stdout).toMatch(/cleanup\.policy=compact/);
  });

  test("two stores on one topic share state both ways, with events", async () => {
    const topic = uniqueTopic("share");
    const a = await openStore(topic);
    const b = await openStore(topic);
    const eventsOnB: StoreEvent[] = [];
    b.subscribe((e) => eventsOnB.push(e));
    const eventsOnA: StoreEvent[] = [];
    a.subscribe((e) => eventsOnA.push(e));

    const { created } = await a.putVcluster({ name: "vc-alice", labels: { team: "a" } });
    expect(created).toBe(true);
    // The writer has applied its own change (and told its listeners) when the call returns.
    expect(a.getVcluster("vc-alice")?.prefix).toBe("vc-alice.");
    expect(eventsOnA.map((e) => e.type)).toEqual(["vcluster-upserted"]);
    await within(2000, () => b.getVcluster("vc-alice") !== undefined);
    expect(b.getVcluster("vc-alice")).toEqual(a.getVcluster("vc-alice")!);
    expect(eventsOnB).toEqual([{ type: "vcluster-upserted", vcluster: a.getVcluster("vc-alice")!, created: true }]);

    // B checks the rules against what A wrote: the prefix overlaps vc-alice's.
    await expect(b.putVcluster({ name: "vc-alice2", prefix: "vc-alice.x" })).rejects.toThrow(/prefix/);

    const now = Math.floor(Date.now() / 1000);
    await b.recordIssuedToken({ jti: "jti-1", vcluster: "vc-alice", username: "alice", issuedAt: now, expiresAt: now + 3600 });
    await within(2000, () => a.listTokens("vc-alice").length === 1);
    expect(a.listServiceAccounts("vc-alice").map((s) => s.username)).toEqual(["alice"]);

    await b.deleteVcluster("vc-alice");
    await within(2000, () => a.getVcluster("vc-alice") === undefined);
    expect(a.listServiceAccounts("vc-alice")).toEqual([]);
    expect(a.isTokenRevoked("jti-1")).toBe(true);
    expect(eventsOnA.map((e) => e.type)).toEqual([
      "vcluster-upserted",
      "service-account-upserted",
      "token-issued",
      "vcluster-deleted",
      // The accounts' tombstones: a removed account re-checks its connections on every node.
      "service-account-deleted",
      "token-revoked",
    ]);
  });

  test("a put on A is visible on B within 2 s", async () => {
    const topic = uniqueTopic("latency");
    const a = await openStore(topic);
    const b = await openStore(topic);
    for (const name of ["vc-1", "vc-2", "vc-3"]) {
      await a.putVcluster({ name });
      await within(2000, () => b.getVcluster(name) !== undefined);
    }
    await b.deleteVcluster("vc-2");
    await within(2000, () => a.getVcluster("vc-2") === undefined);
  });

  test("a restarted store replays the topic", async () => {
    const topic = uniqueTopic("replay");
    const first = await openStore(topic);
    await first.putVcluster({ name: "vc-kept", prefix: "kept_" });
    await first.putVcluster({ name: "vc-gone" });
    await first.putVcluster({ name: "vc-kept", labels: { v: "2" } });
    await first.deleteVcluster("vc-gone");
    await first.close();

    const again = await openStore(topic);
    expect(again.listVclusters().map((v) => [v.name, v.prefix, v.labels])).toEqual([["vc-kept", "kept_", { v: "2" }]]);
    // And it keeps writing after the replayed offsets.
    await again.putVcluster({ name: "vc-new" });
    expect(again.getVcluster("vc-new")?.name).toBe("vc-new");
  });

  test("close stops following", async () => {
    const topic = uniqueTopic("close");
    const a = await openStore(topic);
    const b = await openStore(topic);
    await b.close();
    await a.putVcluster({ name: "vc-after-close" });
    await new Promise((r) => setTimeout(r, 500));
    expect(b.getVcluster("vc-after-close")).toBeUndefined();
    await expect(b.putVcluster({ name: "vc-refused" })).rejects.toThrow(/closed/);
  });
});

// Node A runs under Bun and node B under Deno: the store must behave the same on both.
describe("two kgate processes sharing store.type: kafka", () => {
  const topic = uniqueTopic("kgate");
  const config = { store: { type: "kafka", topic } };
  let nodeA: KgateProcess;
  let nodeB: KgateProcess;

  /** Other suites start kgate on random port blocks too; a port taken meanwhile is not a failure here. */
  async function startNode(runtime: KgateRuntime): Promise<KgateProcess> {
    for (let attempt = 1;; attempt++) {
      try {
        // Nodes sharing a state topic must share the token signing key, from config or env.
        return await startKgate({ runtime, backing: bootstrap, config, env: { KGATE_TOKEN_SECRET: "shared-signing-key-0123456789abcdef" } });
      } catch (error) {
        if (attempt >= 3 || !/Failed to listen|AddrInUse|EADDRINUSE/i.test(String(error))) throw error;
      }
    }
  }

  beforeAll(async () => {
    // Started together: both find the topic missing, and both must cope with the other creating it.
    [nodeA, nodeB] = await Promise.all([startNode("bun"), startNode("deno")]);
  });

  afterAll(async () => {
    const codes = await Promise.all([nodeA?.stop(), nodeB?.stop()]);
    expect(codes).toEqual([0, 0]);
  });

  const names = async (k: KgateProcess) => (await adminCall<{ vclusters: { name: string }[] }>(k, "GET", "/v1/vclusters")).vclusters.map((v) => v.name);

  test("a vcluster created on A is listed by B within 2 s; deleted on B, it leaves A", async () => {
    await adminCall(nodeA, "PUT", "/v1/vclusters/vc-shared", {});
    await within(2000, async () => (await names(nodeB)).includes("vc-shared"));
    await adminCall(nodeB, "DELETE", "/v1/vclusters/vc-shared");
    await within(2000, async () => !(await names(nodeA)).includes("vc-shared"));
  });

  test("a restarted node replays what the other wrote meanwhile", async () => {
    expect(await nodeB.stop()).toBe(0);
    await adminCall(nodeA, "PUT", "/v1/vclusters/vc-while-b-was-down", {});
    nodeB = await startNode("deno");
    expect(await names(nodeB)).toContain("vc-while-b-was-down");
  });
});
