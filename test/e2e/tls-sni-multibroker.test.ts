// SNI routing in front of three brokers (a private cluster beside the shared broker), kgate as a
// transparent proxy under Bun and Deno: metadata names the three brokers on the one TLS port, and
// a producer writing to partitions led by every broker succeeds, which it cannot unless each
// broker name reaches that very broker (a wrong one answers NOT_LEADER_OR_FOLLOWER).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { connect as tlsConnect } from "node:tls";
import { type ISocketFactory, Kafka, logLevel } from "kafkajs";
import { type KafkaCluster, startKafkaCluster } from "../support/kafka-cluster.ts";
import { type KgateProcess, startKgate } from "../support/kgate-process.ts";
import { makeTestCa, pem, type TestCa } from "../support/test-certs.ts";
import { consumeValues } from "../support/kafkajs-consume.ts";

const DOMAIN = "kgate.test";
const PARTITIONS = 6; // two led by each broker
const RECORDS_PER_PARTITION = 50;

let cluster: KafkaCluster;
let ca: TestCa;

beforeAll(async () => {
  ca = makeTestCa();
  cluster = await startKafkaCluster({ brokers: 3 });
}, 180_000);
afterAll(async () => {
  await cluster?.stop();
}, 60_000);

/** kafkajs dials every name at 127.0.0.1, with the name as SNI; `dialled` records what it asked for. */
function loopbackSockets(dialled: string[]): ISocketFactory {
  return ({ host, port, onConnect }) => {
    dialled.push(`${host}:${port}`);
    return tlsConnect({ host: "127.0.0.1", port, servername: host, ca: pem(ca.ca) }, onConnect);
  };
}

for (const runtime of ["bun", "deno"] as const) {
  describe(`SNI routing in front of three brokers (${runtime})`, () => {
    let kgate: KgateProcess;
    let kafka: Kafka;
    const dialled: string[] = [];
    const topic = `sni-multi-${runtime}-${Date.now()}`;

    beforeAll(async () => {
      const server = ca.server(`sni-${runtime}`, { hosts: [`*.${DOMAIN}`] });
      kgate = await startKgate({
        runtime,
        backing: cluster.brokers[0]!,
        config: {
          backing: { bootstrapServers: cluster.brokers },
          listener: { tls: { cert: server.cert, key: server.key }, sni: { advertisedDomain: DOMAIN } },
        },
      });
      kafka = new Kafka({
        clientId: "e2e-sni-multi",
        brokers: [`bootstrap.${DOMAIN}:${kgate.port}`],
        ssl: true,
        socketFactory: loopbackSockets(dialled),
        logLevel: logLevel.NOTHING,
      });
    });
    afterAll(async () => {
      expect(await kgate.stop()).toBe(0);
    });

    test("metadata names three brokers, all on the one port", async () => {
      const admin = kafka.admin();
      await admin.connect();
      const { brokers } = await admin.describeCluster();
      await admin.disconnect();
      expect(brokers.map((b) => b.nodeId).sort()).toEqual([0, 1, 2]);
      for (const b of brokers) expect(b).toMatchObject({ host: `b${b.nodeId}.${DOMAIN}`, port: kgate.port });
    });

    test("a producer writes to partitions led by every broker; a consumer group reads them all", async () => {
      const admin = kafka.admin();
      await admin.connect();
      await admin.createTopics({
        topics: [{ topic, replicaAssignment: Array.from({ length: PARTITIONS }, (_, p) => ({ partition: p, replicas: [p % 3] })) }],
        waitForLeaders: true,
      });
      await admin.disconnect();
      const producer = kafka.producer();
      await producer.connect();
      await producer.sendBatch({
        topicMessages: [{
          topic,
          messages: Array.from({ length: PARTITIONS * RECORDS_PER_PARTITION }, (_, i) => ({ partition: i % PARTITIONS, value: `v${i}` })),
        }],
      });
      await producer.disconnect();
      const seen = await consumeValues(kafka, topic, PARTITIONS * RECORDS_PER_PARTITION);
      expect(seen.size).toBe(PARTITIONS * RECORDS_PER_PARTITION);
      // One port for everything; each broker reached through its own name.
      expect(new Set(dialled.map((d) => d.split(":")[1]))).toEqual(new Set([String(kgate.port)]));
      for (const id of [0, 1, 2]) {
        expect(dialled).toContain(`b${id}.${DOMAIN}:${kgate.port}`);
        expect(kgate.logs()).toContain(`on port ${kgate.port} for broker ${id} (SNI b${id}.${DOMAIN})`);
      }
      expect(kgate.logs()).not.toMatch(/listening \S+ for broker/);
    });
  });
}
