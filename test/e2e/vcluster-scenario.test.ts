// The virtual-cluster story users know, with real clients, under Bun and Deno: the Java tools
// with properties files from `kgate token create`, kafkajs and kcat; alice and bob share names
// but nothing else.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { BROKER_FEATURE } from "../support/broker-features.ts";
import { kafkaBootstrap, kafkaCli } from "../support/kafka.ts";
import { type KgateProcess, type KgateRuntime, startKgate } from "../support/kgate-process.ts";
import { createTenant, kcatArgs, runKcat, tenantKafka, type TenantLogin } from "../support/vcluster-fixture.ts";

const hasKip848Regex = await BROKER_FEATURE.consumerGroupRegex();

for (const runtime of ["bun", "deno"] as KgateRuntime[]) {
  describe(`virtual clusters (${runtime})`, () => {
    let kgate: KgateProcess;
    let alice: TenantLogin;
    let bob: TenantLogin;
    const run = Date.now().toString(36);
    const va = `vc-alice-${runtime}-${run}`;
    const vb = `vc-bob-${runtime}-${run}`;

    beforeAll(async () => {
      kgate = await startKgate({ runtime, backing: await kafkaBootstrap() });
      alice = await createTenant(kgate, va, "alice");
      bob = await createTenant(kgate, vb, "bob");
    });
    afterAll(async () => {
      expect(await kgate.stop()).toBe(0);
    });

    const topics = (login: TenantLogin, ...args: string[]) =>
      kafkaCli("kafka-topics", ["--bootstrap-server", kgate.bootstrap, "--command-config", login.propertiesFile, ...args]);

    test("alice creates orders and lists it; bob lists nothing; the backing cluster holds the prefixed name", async () => {
      const created = await topics(alice, "--create", "--topic", "orders", "--partitions", "2");
      expect(created.code).toBe(0);
      const aliceList = await topics(alice, "--list");
      expect(aliceList.stdout.split("\n").filter(Boolean)).toEqual(["orders"]);
      const bobList = await topics(bob, "--list");
      expect(bobList.code).toBe(0);
      expect(bobList.stdout.trim()).toBe("");
      const direct = await kafkaCli("kafka-topics", ["--bootstrap-server", await kafkaBootstrap(), "--list"]);
      expect(direct.stdout.split("\n")).toContain(`${va}.orders`);
      const described = await topics(alice, "--describe", "--topic", "orders");
      expect(described.stdout).toContain("Topic: orders");
      expect(described.stdout).not.toContain(va);
    });

    test("alice and bob both use orders and billing: records and offsets stay apart (kafkajs, kcat)", async () => {
      await topics(bob, "--create", "--topic", "orders", "--partitions", "1");
      for (const [login, n] of [[alice, 5], [bob, 3]] as const) {
        const producer = tenantKafka(kgate, login).producer();
        await producer.connect();
        await producer.send({ topic: "orders", messages: Array.from({ length: n }, (_, i) => ({ value: `${login.username}-${i}` })) });
        await producer.disconnect();
      }
      // kcat (librdkafka) reads each tenant's own topic.
      const aliceKcat = await runKcat([...kcatArgs(kgate, alice), "-C", "-t", "orders", "-e", "-q"]);
      expect(aliceKcat.out.split("\n").filter(Boolean).sort()).toEqual(["alice-0", "alice-1", "alice-2", "alice-3", "alice-4"]);
      const bobKcatProduce = await runKcat([...kcatArgs(kgate, bob), "-P", "-t", "orders"], "bob-kcat\n");
      expect(bobKcatProduce.code).toBe(0);

      const consumeAll = async (login: TenantLogin, expected: number) => {
        const consumer = tenantKafka(kgate, login).consumer({ groupId: "billing" });
        await consumer.connect();
        await consumer.subscribe({ topic: "orders", fromBeginning: true });
        const values: string[] = [];
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`${login.username} saw ${values}`)), 60_000);
          void consumer.run({
            eachMessage: async ({ message }) => {
              values.push(message.value!.toString());
              if (values.length === expected) {
                clearTimeout(timer);
                resolve();
              }
            },
          });
        });
        await consumer.disconnect();
        return values.sort();
      };
      expect(await consumeAll(alice, 5)).toEqual(["alice-0", "alice-1", "alice-2", "alice-3", "alice-4"]);
      expect(await consumeAll(bob, 4)).toEqual(["bob-0", "bob-1", "bob-2", "bob-kcat"]);

      const groups = (login: TenantLogin) =>
        kafkaCli("kafka-consumer-groups", [
          "--bootstrap-server",
          kgate.bootstrap,
          "--command-config",
          login.propertiesFile,
          "--describe",
          "--group",
          "billing",
        ]);
      const ag = await groups(alice);
      const bg = await groups(bob);
      // Offsets per tenant: alice committed 5 records over 2 partitions, bob 4 on 1.
      const committed = (out: string) => out.split("\n").filter((l) => l.startsWith("billing")).reduce((n, l) => n + Number(l.split(/\s+/)[3]), 0);
      expect(committed(ag.stdout)).toBe(5);
      expect(committed(bg.stdout)).toBe(4);
      expect(ag.stdout + bg.stdout).not.toContain("vc-");
      const list = await kafkaCli("kafka-consumer-groups", ["--bootstrap-server", kgate.bootstrap, "--command-config", bob.propertiesFile, "--list"]);
      expect(list.stdout.split("\n").filter(Boolean)).toEqual(["billing"]);
    });

    test.skipIf(!hasKip848Regex)("KIP-848 consumer with a regex subscription sees only its tenant's topics", async () => {
      await topics(bob, "--create", "--topic", "ordinary", "--partitions", "1");
      const consumed = await kafkaCli("kafka-console-consumer", [
        "--bootstrap-server",
        kgate.bootstrap,
        "--command-config",
        alice.propertiesFile,
        "--include",
        "ord.*",
        "--group",
        "regex-848",
        "--command-property",
        "group.protocol=consumer",
        "--from-beginning",
        "--max-messages",
        "5",
        "--timeout-ms",
        "30000",
      ]);
      const lines = consumed.stdout.split("\n").filter(Boolean);
      expect(lines.sort()).toEqual(["alice-0", "alice-1", "alice-2", "alice-3", "alice-4"]);
    });

    test("a transactional producer commits and aborts inside a vcluster", async () => {
      const kafka = tenantKafka(kgate, alice);
      const admin = kafka.admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic: "payments", numPartitions: 1 }], waitForLeaders: true });
      await admin.disconnect();
      const producer = kafka.producer({ transactionalId: "pay-tx", idempotent: true, maxInFlightRequests: 1 });
      await producer.connect();
      const committed = await producer.transaction();
      await committed.send({ topic: "payments", messages: [{ value: "committed" }] });
      await committed.commit();
      const aborted = await producer.transaction();
      await aborted.send({ topic: "payments", messages: [{ value: "aborted" }] });
      await aborted.abort();
      await producer.disconnect();
      const consumer = kafka.consumer({ groupId: "pay-reader", readUncommitted: false });
      await consumer.connect();
      await consumer.subscribe({ topic: "payments", fromBeginning: true });
      const values: string[] = [];
      await new Promise<void>((resolve) => {
        void consumer.run({ eachMessage: async ({ message }) => void values.push(message.value!.toString()) });
        setTimeout(resolve, 5000);
      });
      await consumer.disconnect();
      expect(values).toEqual(["committed"]);
      const direct = await kafkaCli("kafka-transactions", ["--bootstrap-server", await kafkaBootstrap(), "list"]);
      if (direct.code === 0) expect(direct.stdout).toContain(`${va}.pay-tx`);
    });
  });
}
