// Three backing brokers behind kgate (a private cluster beside the shared single-node broker):
// metadata shows three kgate ports and nothing of the brokers' own addresses, and a producer
// writing to partitions led by every broker succeeds while a consumer group reads it all back.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Kafka, logLevel } from "kafkajs";
import { runCommand } from "../support/command.ts";
import { type KafkaCluster, startKafkaCluster } from "../support/kafka-cluster.ts";
import { type KgateProcess, type KgateRuntime, startKgate } from "../support/kgate-process.ts";

const PARTITIONS = 6; // two led by each broker
const RECORDS_PER_PARTITION = 200;

let cluster: KafkaCluster;

beforeAll(async () => {
  cluster = await startKafkaCluster({ brokers: 3 });
}, 180_000);
afterAll(async () => {
  await cluster?.stop();
}, 60_000);

for (const runtime of ["bun", "deno"] as KgateRuntime[]) {
  describe(`transparent proxy in front of three brokers (${runtime})`, () => {
    let kgate: KgateProcess;
    let kafka: Kafka;
    const topic = `multi-${runtime}-${Date.now()}`;

    beforeAll(async () => {
      // A dead address first in the bootstrap list: upstream failover must skip it.
      kgate = await startKgate({
        runtime,
        backing: cluster.brokers[1]!,
        config: { backing: { bootstrapServers: ["127.0.0.1:1", ...cluster.brokers] } },
      });
      kafka = new Kafka({ clientId: "e2e-multi", brokers: [kgate.bootstrap], logLevel: logLevel.NOTHING });
    });
    afterAll(async () => {
      expect(await kgate.stop()).toBe(0);
    });

    test("metadata shows three brokers, each at its own kgate port", async () => {
      const admin = kafka.admin();
      await admin.connect();
      const { brokers, controller } = await admin.describeCluster();
      await admin.disconnect();
      expect(brokers.map((b) => b.nodeId).sort()).toEqual([0, 1, 2]);
      for (const b of brokers) {
        expect(b.host).toBe("127.0.0.1");
        expect(b.port).toBe(kgate.port + 1 + b.nodeId); // brokerPortBase (port + 1) + node id
      }
      expect(controller).not.toBeNull();

      const kcat = await runCommand("kcat", ["-b", kgate.bootstrap, "-L", "-J"], { timeoutMs: 30_000 });
      expect(kcat.code).toBe(0);
      const names = (JSON.parse(kcat.stdout) as { brokers: { name: string }[] }).brokers.map((b) => b.name).sort();
      expect(names).toEqual([1, 2, 3].map((i) => `127.0.0.1:${kgate.port + i}`));
      for (const backing of cluster.brokers) expect(kcat.stdout).not.toContain(backing);
    });

    test("a producer writes to partitions led by every broker; a consumer group reads them all", async () => {
      const admin = kafka.admin();
      await admin.connect();
      await admin.createTopics({
        topics: [{
          topic,
          replicaAssignment: Array.from({ length: PARTITIONS }, (_, p) => ({ partition: p, replicas: [p % 3] })),
        }],
        waitForLeaders: true,
      });
      const md = await admin.fetchTopicMetadata({ topics: [topic] });
      await admin.disconnect();
      const leaders = new Set(md.topics[0]!.partitions.map((p) => p.leader));
      expect([...leaders].sort()).toEqual([0, 1, 2]);

      const producer = kafka.producer();
      await producer.connect();
      await producer.sendBatch({
        topicMessages: [{
          topic,
          messages: Array.from({ length: PARTITIONS * RECORDS_PER_PARTITION }, (_, i) => ({
            partition: i % PARTITIONS,
            value: `v${i}`,
          })),
        }],
      });
      await producer.disconnect();

      const consumer = kafka.consumer({ groupId: `g-${topic}` });
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      const seen = new Set<string>();
      const perPartition = new Map<number, number>();
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`only ${seen.size} records`)), 60_000);
        void consumer.run({
          eachMessage: async ({ partition, message }) => {
            seen.add(message.value!.toString());
            perPartition.set(partition, (perPartition.get(partition) ?? 0) + 1);
            if (seen.size === PARTITIONS * RECORDS_PER_PARTITION) {
              clearTimeout(timer);
              resolve();
            }
          },
        });
      });
      await consumer.disconnect();
      expect(seen.size).toBe(PARTITIONS * RECORDS_PER_PARTITION);
      for (let p = 0; p < PARTITIONS; p++) expect(perPartition.get(p)).toBe(RECORDS_PER_PARTITION);
      // Clients reached every broker through its kgate port.
      for (const i of [1, 2, 3]) expect(kgate.logs()).toMatch(new RegExp(`opened from \\S+ on port ${kgate.port + i}\\b`));
    });
  });
}
