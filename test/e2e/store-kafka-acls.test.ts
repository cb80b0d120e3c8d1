// Vcluster ACLs in `store.type: kafka` against a real broker: ACLs one node writes reach the
// other node with an event (so its sessions authorize with them at once), deletes too, and a
// node started later replays the same ACLs from the state topic.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { runtime } from "../../src/runtime/index.ts";
import type { StoreEvent } from "../../src/store/events.ts";
import { KafkaStore } from "../../src/store/kafka-store.ts";
import { type AclBinding, Op, Pattern, Permission, Res } from "../../src/model/acl-model.ts";
import { kafkaBootstrap, kafkaCli } from "../support/kafka.ts";

const RUN = `${Date.now()}_${Math.random().toString(36).slice(2, 8)}`;
const topic = `_kgate_state_test_acl_${RUN}`;
let bootstrap = "";
const stores: KafkaStore[] = [];

async function openStore(): Promise<KafkaStore> {
  const store = new KafkaStore({ runtime, backing: { bootstrapServers: [bootstrap] }, topic });
  stores.push(store);
  await store.load();
  return store;
}

async function within(ms: number, check: () => boolean): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > ms) throw new Error(`not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const write = (resourceName: string, permissionType: number = Permission.ALLOW): AclBinding => ({
  resourceType: Res.TOPIC,
  resourceName,
  patternType: Pattern.PREFIXED,
  principal: "User:bob",
  host: "*",
  operation: Op.WRITE,
  permissionType,
});

beforeAll(async () => {
  bootstrap = await kafkaBootstrap();
});
afterAll(async () => {
  await Promise.all(stores.map((s) => s.close()));
  await kafkaCli("kafka-topics", ["--bootstrap-server", bootstrap, "--delete", "--topic", topic]);
});

describe("KafkaStore: vcluster ACLs", () => {
  test("ACLs written through one node reach another with an event; deletes too; a later node replays them", async () => {
    const a = await openStore();
    const b = await openStore();
    const onB: StoreEvent[] = [];
    b.subscribe((e) => onB.push(e));
    await a.putVcluster({ name: "vc-acl", aclEnabled: true, superUsers: ["User:root"] });
    await a.putVcluster({ name: "vc-other" });
    expect((await a.createAcls("vc-acl", [write("orders-"), write("orders-eu", Permission.DENY)])).every((r) => r.ok)).toBe(true);
    await within(3000, () => b.listAcls("vc-acl").length === 2);
    expect(onB.filter((e) => e.type === "acls-changed")).toContainEqual({ type: "acls-changed", vcluster: "vc-acl" });
    expect(b.getVcluster("vc-acl")).toMatchObject({ aclEnabled: true, superUsers: ["User:root"] });
    expect(b.listAcls("vc-other")).toEqual([]);

    const [removed] = await b.deleteAcls("vc-acl", [{
      resourceType: Res.ANY,
      resourceName: "orders-eu",
      patternType: Pattern.ANY,
      principal: null,
      host: null,
      operation: Op.ANY,
      permissionType: Permission.ANY,
    }]);
    expect(removed).toHaveLength(1);
    await within(3000, () => a.listAcls("vc-acl").length === 1);

    const later = await openStore();
    expect(later.listAcls("vc-acl").map((x) => [x.resourceName, x.permissionType])).toEqual([["orders-", Permission.ALLOW]]);
  }, 60_000);
});
