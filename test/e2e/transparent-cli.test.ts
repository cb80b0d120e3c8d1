// Kafka's own command-line tools (the Java client) through kgate as a transparent proxy, under
// Bun and under Deno: kafka-topics create/list/describe, console producer and consumer, and
// kafka-consumer-groups --describe.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { kafkaBootstrap, kafkaCli } from "../support/kafka.ts";
import { type KgateProcess, type KgateRuntime, startKgate } from "../support/kgate-process.ts";

const RECORDS = 200;

for (const runtime of ["bun", "deno"] as KgateRuntime[]) {
  describe(`transparent proxy with the Kafka CLI tools (${runtime})`, () => {
    let kgate: KgateProcess;
    const topic = `cli-${runtime}-${Date.now()}`;
    const group = `cli-group-${runtime}-${Date.now()}`;
    const values = Array.from({ length: RECORDS }, (_, i) => `record-${i}`);
    const cli = async (tool: string, args: string[], input?: string) => {
      const res = await kafkaCli(tool, ["--bootstrap-server", kgate.bootstrap, ...args], { input, timeoutMs: 90_000 });
      if (res.code !== 0) throw new Error(`${tool} exited ${res.code}:\n${res.stderr}${res.stdout}\n--- kgate:\n${kgate.logs()}`);
      return res;
    };

    beforeAll(async () => {
      kgate = await startKgate({ runtime, backing: await kafkaBootstrap() });
    });
    afterAll(async () => {
      expect(await kgate.stop()).toBe(0);
    });

    test("kafka-topics create, list and describe", async () => {
      await cli("kafka-topics", ["--create", "--topic", topic, "--partitions", "3", "--replication-factor", "1"]);
      const list = await cli("kafka-topics", ["--list"]);
      expect(list.stdout.split("\n")).toContain(topic);
      const desc = await cli("kafka-topics", ["--describe", "--topic", topic]);
      expect(desc.stdout).toMatch(new RegExp(`Topic: ${topic}\\s+TopicId: \\S+\\s+PartitionCount: 3\\s+ReplicationFactor: 1`));
      for (const p of [0, 1, 2]) expect(desc.stdout).toMatch(new RegExp(`Partition: ${p}\\s+Leader: \\d+`));
    });

    test("console producer and console consumer", async () => {
      await cli("kafka-console-producer", ["--topic", topic], values.join("\n") + "\n");
      const consumed = await cli("kafka-console-consumer", [
        "--topic",
        topic,
        "--group",
        group,
        "--from-beginning",
        "--max-messages",
        String(RECORDS),
        "--timeout-ms",
        "60000",
      ]);
      const lines = consumed.stdout.split("\n").filter((l) => l.length > 0);
      expect(lines.length).toBe(RECORDS);
      expect(new Set(lines)).toEqual(new Set(values));
      // The Java client followed the rewritten metadata to kgate's broker port, not to the broker.
      expect(kgate.logs()).toMatch(new RegExp(`opened from \\S+ on port ${kgate.port + 1}\\b`));
    });

    test("kafka-consumer-groups --describe shows the group's committed offsets", async () => {
      const listed = await cli("kafka-consumer-groups", ["--list"]);
      expect(listed.stdout.split("\n")).toContain(group);
      const desc = await cli("kafka-consumer-groups", ["--describe", "--group", group]);
      // GROUP TOPIC PARTITION CURRENT-OFFSET LOG-END-OFFSET LAG ...
      const rows = desc.stdout
        .split("\n")
        .map((l) => l.trim().split(/\s+/))
        .filter((cols) => cols[0] === group && cols[1] === topic);
      expect(rows.map((r) => Number(r[2])).sort()).toEqual([0, 1, 2]);
      let committed = 0;
      for (const r of rows) {
        expect(r[3]).toBe(r[4]); // consumed up to the log end
        expect(r[5]).toBe("0"); // no lag
        committed += Number(r[3]);
      }
      expect(committed).toBe(RECORDS);
    });
  });
}
