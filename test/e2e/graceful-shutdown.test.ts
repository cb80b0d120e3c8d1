// SIGTERM is a graceful restart: kgate stops accepting, every request it already forwarded gets
// its response to the client (none is left written at the broker but unanswered), connections
// close, kgate exits 0 in time, and a new kgate on the same port serves the clients' reconnects.
// kgate under Bun and Deno, and as the binary where dist/kgate exists.
import { afterAll, describe, expect, test } from "bun:test";
import { Kafka, logLevel } from "kafkajs";
import { ensureTopic } from "../../src/client/admin-ops.ts";
import { KafkaConnection } from "../../src/client/kafka-connection.ts";
import { PartitionLog } from "../../src/client/partition-log.ts";
import { encodeRecordBatch } from "../../src/client/record-batch.ts";
import { parseHostPort } from "../../src/client/upstream.ts";
import type { ProduceResponse } from "../../src/protocol/messages/produce-response.ts";
import { runtime } from "../../src/runtime/index.ts";
import { kafkaBootstrap } from "../support/kafka.ts";
import { binaryAvailable, type KgateProcess, type KgateRuntime, startKgate } from "../support/kgate-process.ts";

const run = Date.now().toString(36);
const NO_TOPIC_ID = "00000000000000000000000000000000";
const PIPELINED = 3000;

function produceOne(conn: KafkaConnection, topic: string, i: number): Promise<ProduceResponse> {
  const records = encodeRecordBatch([{ key: null, value: new TextEncoder().encode(`record-${i}`) }]);
  return conn.requestUntyped<ProduceResponse>(0, 9, {
    transactionalId: null,
    acks: -1,
    timeoutMs: 30_000,
    topicData: [{ name: topic, topicId: NO_TOPIC_ID, partitionData: [{ index: 0, records }] }],
  });
}

const RUNTIMES: KgateRuntime[] = ["bun", "deno", ...(binaryAvailable() ? ["binary" as const] : [])];
for (const kgateRuntime of RUNTIMES) {
  describe(`graceful shutdown on SIGTERM (${kgateRuntime})`, () => {
    const vc = `vc-gs-${kgateRuntime}-${run}`;
    const user = { username: "gs-producer", password: "gs-producer-password-01", vcluster: vc };
    const started: KgateProcess[] = [];
    afterAll(async () => {
      for (const k of started) await k.stop("SIGKILL");
    });

    test("in-flight produces get their acks, kgate exits 0, a new kgate on the same port serves the reconnect", async () => {
      const backing = await kafkaBootstrap();
      const config = { auth: { users: [user] }, vclusters: [{ name: vc }], shutdown: { timeoutMs: 10_000 } };
      const first = await startKgate({ runtime: kgateRuntime, backing, config });
      started.push(first);
      const backingTopic = `${vc}.orders`;
      const direct = await KafkaConnection.open(runtime, [parseHostPort(backing)]);
      await ensureTopic(direct, { name: backingTopic, partitions: 1, replicationFactor: 1, configs: {} });
      direct.close();
      const log = new PartitionLog({ runtime, bootstrap: [parseHostPort(backing)], topic: backingTopic });

      // A real client, idle at the moment of the restart: it must reconnect to the new kgate.
      const kafka = new Kafka({
        clientId: "gs-kafkajs",
        brokers: [first.bootstrap],
        sasl: { mechanism: "plain", username: user.username, password: user.password },
        logLevel: logLevel.NOTHING,
        retry: { retries: 10, initialRetryTime: 200 },
      });
      const producer = kafka.producer();
      await producer.connect();
      await producer.send({ topic: "orders", acks: -1, messages: [{ value: "before" }] });

      // A client with thousands of produces pipelined: the broker handles one request of a
      // connection at a time, so many are in flight when SIGTERM comes.
      const conn = await KafkaConnection.open(runtime, [{ host: "127.0.0.1", port: first.port }], {
        sasl: { mechanism: "PLAIN", username: user.username, password: user.password },
      });
      let acked = 0;
      let refused = 0;
      let unanswered = 0;
      const sends = Array.from({ length: PIPELINED }, (_, i) =>
        produceOne(conn, "orders", i).then(
          (res) => (res.responses[0]?.partitionResponses[0]?.errorCode === 0 ? acked++ : refused++),
          () => unanswered++,
        ));
      while (acked < 50) await new Promise((r) => setTimeout(r, 5));
      const signalledAt = Date.now();
      const code = await first.stop("SIGTERM");
      const exitMs = Date.now() - signalledAt;
      await Promise.all(sends);

      expect(code).toBe(0);
      expect(exitMs).toBeLessThan(15_000); // shutdown.timeoutMs plus closing the rest, widely
      expect(first.logs()).toMatch(/connections closed: \d+ after their last response, 0 cut at the timeout/);
      expect(refused).toBe(0);
      // Some were never read by kgate (the client retries those), so kgate did stop mid-stream …
      expect(unanswered).toBeGreaterThan(0);
      // … and every record the broker appended was acknowledged to the client: none was lost
      // between the broker and the client, which a blind retry would turn into a duplicate.
      expect(Number(await log.latestOffset())).toBe(1 + acked);

      const second = await startKgate({ runtime: kgateRuntime, backing, config, port: first.port });
      started.push(second);
      await producer.send({ topic: "orders", acks: -1, messages: [{ value: "after" }] });
      await producer.disconnect();
      expect(Number(await log.latestOffset())).toBe(2 + acked);
      expect(second.logs()).toMatch(/authenticated \\?"gs-producer\\?" into/);
      expect(await second.stop("SIGTERM")).toBe(0);
      expect(second.logs()).toContain("stopped");
    }, 90_000);
  });
}
