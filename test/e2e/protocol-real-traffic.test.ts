// Byte-exact on real traffic: kafkajs, the Java command-line tools, kcat, and the compat
// scenario of the Java clients 4.4 and 2.8 talk to the real broker through a recording relay;
// every captured request and response must decode and re-encode to the identical bytes.
// `npm run compat` captures from every client of the matrix (87 pairs when last measured).
import { afterAll, beforeAll, expect, test } from "bun:test";
import { Kafka, logLevel } from "kafkajs";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeRequest, decodeResponse, encodeRequest, encodeResponse } from "../../src/protocol/codec.ts";
import { apiSpec } from "../../src/protocol/registry.ts";
import { concatBytes } from "../../src/protocol/wire.ts";
import { javaClient } from "../compat/clients/java.ts";
import { confluentKafkaPython, kafkaPython } from "../compat/clients/python.ts";
import { kafkaBootstrap, kafkaCli } from "../support/kafka.ts";
import { RecordingRelay } from "../support/recording-relay.ts";
import { runKcat } from "../support/vcluster-fixture.ts";

let relay: RecordingRelay;
/** Distinct (API, version) pairs this file reaches (measured 2026-12-01: 71); a drop means a client stopped talking. */
const FLOOR = 68;
const topic = `capture-${Date.now()}`;

beforeAll(async () => {
  const [host, port] = (await kafkaBootstrap()).split(":");
  relay = new RecordingRelay(host!, Number(port));
  await relay.start();
});
afterAll(async () => {
  await relay.stop();
});

test("real clients through the recording relay", async () => {
  const bootstrap = `127.0.0.1:${relay.port}`;
  const kafka = new Kafka({ clientId: "capture", brokers: [bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
  await admin.disconnect();
  const producer = kafka.producer({ transactionalId: `tx-${topic}`, idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const tx = await producer.transaction();
  await tx.send({ topic, messages: [{ key: "k", value: "v", headers: { h: "1" } }] });
  await tx.commit();
  await producer.disconnect();
  const consumer = kafka.consumer({ groupId: `g-${topic}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await new Promise<void>((resolve) => {
    void consumer.run({ eachMessage: async () => resolve() });
  });
  await consumer.disconnect();

  const cli = (tool: string, args: string[], input?: string) => kafkaCli(tool, ["--bootstrap-server", bootstrap, ...args], { input });
  expect((await cli("kafka-topics", ["--describe", "--topic", topic])).code).toBe(0);
  expect((await cli("kafka-console-producer", ["--topic", topic], "a\nb\n")).code).toBe(0);
  const consumed = await cli("kafka-console-consumer", [
    "--topic",
    topic,
    "--group",
    `cli-${topic}`,
    "--from-beginning",
    "--max-messages",
    "3",
    "--timeout-ms",
    "20000",
  ]);
  expect(consumed.stdout).toContain("a");
  expect((await cli("kafka-consumer-groups", ["--describe", "--group", `cli-${topic}`])).code).toBe(0);
  expect((await kafkaCli("kafka-configs", ["--bootstrap-server", bootstrap, "--describe", "--entity-type", "topics", "--entity-name", topic])).code).toBe(0);

  expect((await runKcat(["-b", bootstrap, "-L"])).code).toBe(0);
  expect((await runKcat(["-b", bootstrap, "-P", "-t", topic], "kcat\n")).code).toBe(0);
  expect((await runKcat(["-b", bootstrap, "-C", "-t", topic, "-e", "-q"])).out).toContain("kcat");
}, 180_000);

// Older clients speak older versions: that is where most of the distinct pairs come from.
// (The Python clients are Debian's python3-kafka and python3-confluent-kafka; .ci/run installs them.)
for (const [i, client] of [javaClient("4.4"), javaClient("2.8.2"), kafkaPython, confluentKafkaPython].entries()) {
  test(`${client.name}: the compat scenario through the recording relay`, async () => {
    expect(await client.unavailable()).toBeNull();
    const steps = await client.run({
      bootstrap: `127.0.0.1:${relay.port}`,
      suffix: `-${topic}-${i}`,
      exactList: false,
      records: 100,
      workDir: mkdtempSync(join(tmpdir(), "kgate-capture-")),
    });
    expect(steps.filter((s) => s.status === "fail")).toEqual([]);
    expect(steps.map((s) => s.step)).toContain("list-topics");
  }, 180_000);
}

test("every captured frame decodes and re-encodes byte-exact", () => {
  const pairs = new Set<string>();
  let frames = 0;
  for (const ex of relay.exchanges) {
    if (!apiSpec(ex.apiKey)) continue;
    const req = decodeRequest(ex.request);
    expect(concatBytes(encodeRequest(req.header, req.body))).toEqual(ex.request);
    frames++;
    pairs.add(`${apiSpec(ex.apiKey)!.name} v${ex.apiVersion}`);
    if (ex.response) {
      const res = decodeResponse(ex.response, ex.apiKey, ex.apiVersion);
      expect(concatBytes(encodeResponse(ex.apiKey, ex.apiVersion, res.header, res.body))).toEqual(ex.response);
      frames++;
    }
  }
  console.log(`byte-exact: ${frames} frames, ${pairs.size} distinct (API, version) pairs: ${[...pairs].sort().join(", ")}`);
  expect(pairs.size).toBeGreaterThanOrEqual(FLOOR);
});
