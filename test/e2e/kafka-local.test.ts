// The backing broker answers real Kafka tools: the ground every other end-to-end test stands on.
import { beforeAll, describe, expect, test } from "bun:test";
import { type CliResult, kafkaBootstrap, kafkaCli, SASL_BOOTSTRAP, saslAvailable, saslClientConfig } from "../support/kafka.ts";

let bootstrap = "";

beforeAll(async () => {
  bootstrap = await kafkaBootstrap();
}, 600_000);

function uniqueTopic(): string {
  return `kafka-local-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
}

/** Fails with the tool's own words when it did not exit 0. */
function expectOk(res: CliResult): void {
  if (res.code !== 0) throw new Error(`exit ${res.code}\n${res.stderr}${res.stdout}`);
}

function lines(text: string): string[] {
  return text.split("\n").map((line) => line.trim());
}

describe("backing Kafka", () => {
  test("creates a topic and lists it", async () => {
    const topic = uniqueTopic();
    const created = await kafkaCli("kafka-topics", [
      "--bootstrap-server",
      bootstrap,
      "--create",
      "--topic",
      topic,
      "--partitions",
      "1",
      "--replication-factor",
      "1",
    ]);
    expectOk(created);

    const listed = await kafkaCli("kafka-topics", ["--bootstrap-server", bootstrap, "--list"]);
    expectOk(listed);
    expect(lines(listed.stdout)).toContain(topic);

    await kafkaCli("kafka-topics", ["--bootstrap-server", bootstrap, "--delete", "--topic", topic]);
  });

  test.skipIf(!saslAvailable())("authenticates the gateway user with SCRAM-SHA-512 and PLAIN", async () => {
    const topic = uniqueTopic();
    const scram = saslClientConfig("SCRAM-SHA-512");
    const created = await kafkaCli("kafka-topics", [
      "--bootstrap-server",
      SASL_BOOTSTRAP,
      "--command-config",
      scram,
      "--create",
      "--topic",
      topic,
    ]);
    expectOk(created);

    const plain = saslClientConfig("PLAIN");
    const listed = await kafkaCli("kafka-topics", [
      "--bootstrap-server",
      SASL_BOOTSTRAP,
      "--command-config",
      plain,
      "--list",
    ]);
    expectOk(listed);
    expect(lines(listed.stdout)).toContain(topic);

    await kafkaCli("kafka-topics", ["--bootstrap-server", bootstrap, "--delete", "--topic", topic]);
  });
});
