// kafkajs through kgate as a transparent proxy, under Bun and under Deno: topics, 10,000
// records through a consumer group, an idempotent producer and a committed transaction.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Kafka, logLevel } from "kafkajs";
import { kafkaBootstrap } from "../support/kafka.ts";
import { type KgateProcess, type KgateRuntime, startKgate } from "../support/kgate-process.ts";
import { consumeValues } from "../support/kafkajs-consume.ts";

for (const runtime of ["bun", "deno"] as KgateRuntime[]) {
  describe(`transparent proxy with kafkajs (${runtime})`, () => {
    let kgate: KgateProcess;
    let kafka: Kafka;
    const topic = `tx-${runtime}-${Date.now()}`;

    beforeAll(async () => {
      kgate = await startKgate({ runtime, backing: await kafkaBootstrap() });
      kafka = new Kafka({ clientId: "e2e", brokers: [kgate.bootstrap], logLevel: logLevel.NOTHING });
    });
    afterAll(async () => {
      expect(await kgate.stop()).toBe(0);
    });

    test("metadata shows only kgate's addresses", async () => {
      const admin = kafka.admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
      const cluster = await admin.describeCluster();
      for (const b of cluster.brokers) {
        expect(b.host).toBe("127.0.0.1");
        expect(b.port).toBeGreaterThan(kgate.port);
        expect(b.port).toBeLessThan(kgate.port + 40);
      }
      const md = await admin.fetchTopicMetadata({ topics: [topic] });
      expect(md.topics[0]!.partitions.length).toBe(3);
      await admin.disconnect();
    });

    test("10,000 records through a consumer group", async () => {
      const producer = kafka.producer();
      await producer.connect();
      for (let batch = 0; batch < 10; batch++) {
        await producer.send({
          topic,
          messages: Array.from({ length: 1000 }, (_, i) => ({ key: `k${batch * 1000 + i}`, value: `v${batch * 1000 + i}` })),
        });
      }
      await producer.disconnect();
      const seen = await consumeValues(kafka, topic, 10_000);
      expect(seen.size).toBe(10_000);
    });

    test("idempotent producer and a committed transaction", async () => {
      const idem = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
      await idem.connect();
      await idem.send({ topic, messages: [{ value: "idempotent" }] });
      await idem.disconnect();

      const tx = kafka.producer({ transactionalId: `txid-${topic}`, idempotent: true, maxInFlightRequests: 1 });
      await tx.connect();
      const t = await tx.transaction();
      await t.send({ topic, messages: [{ value: "in-transaction" }] });
      await t.commit();
      await tx.disconnect();

      const consumer = kafka.consumer({ groupId: `g2-${topic}`, readUncommitted: false });
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      const values: string[] = [];
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`saw ${values.length}`)), 60_000);
        void consumer.run({
          eachMessage: async ({ message }) => {
            values.push(message.value!.toString());
            if (values.includes("idempotent") && values.includes("in-transaction")) {
              clearTimeout(timer);
              resolve();
            }
          },
        });
      });
      await consumer.disconnect();
      expect(values).toContain("in-transaction");
    });
  });
}
