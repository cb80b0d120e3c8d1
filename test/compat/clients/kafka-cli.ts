// The Kafka 4.4 command-line tools (scripts/kafka.sh cli): kafka-topics, the console producer and
// consumer, kafka-consumer-groups. The console producer has no transactions.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { kafkaCli } from "../../support/kafka.ts";
import { checkListing, type CompatClient, type CompatTarget, scenarioNames, StepRunner } from "../types.ts";

function commandConfig(t: CompatTarget): string[] {
  if (!t.sasl) return [];
  const file = join(t.workDir, "cli.properties");
  writeFileSync(
    file,
    [
      "security.protocol=SASL_PLAINTEXT",
      "sasl.mechanism=PLAIN",
      `sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="${t.sasl.username}" password="${t.sasl.password}";`,
      "",
    ].join("\n"),
  );
  return ["--command-config", file];
}

async function tool(t: CompatTarget, name: string, args: string[], input?: string): Promise<string> {
  const config = commandConfig(t);
  const res = await kafkaCli(name, ["--bootstrap-server", t.bootstrap, ...config, ...args], { input, timeoutMs: 120_000 });
  if (res.code !== 0) throw new Error(`${name} exit ${res.code}: ${res.stderr.trim().split("\n").filter((l) => !l.includes("WARN")).slice(-2).join(" | ")}`);
  return res.stdout;
}

export const kafkaCliClient: CompatClient = {
  name: "Kafka 4.4 CLI tools",
  standardNames: true,
  unavailable: async () => null,
  async run(t) {
    const n = scenarioNames(t);
    const steps = new StepRunner();
    await steps.step("create-topic", async () => {
      await tool(t, "kafka-topics", ["--create", "--topic", n.topic, "--partitions", "3"]);
      await tool(t, "kafka-topics", ["--create", "--topic", n.txTopic, "--partitions", "1"]);
      return `kafka-topics --create ${n.topic}, ${n.txTopic}`;
    });
    await steps.step("produce", async () => {
      const input = Array.from({ length: t.records }, (_, i) => `k${i}:v${i}\n`).join("");
      await tool(t, "kafka-console-producer", [
        "--topic",
        n.topic,
        "--reader-property",
        "parse.key=true",
        "--reader-property",
        "key.separator=:",
        "--command-property",
        "enable.idempotence=true",
        "--command-property",
        "acks=all",
      ], input);
      return `${t.records} records, idempotent`;
    });
    await steps.step("consume-commit", async () => {
      const out = await tool(t, "kafka-console-consumer", [
        "--topic",
        n.topic,
        "--group",
        n.group,
        "--from-beginning",
        "--max-messages",
        String(t.records),
        "--timeout-ms",
        "60000",
      ]);
      const values = out.split("\n").filter(Boolean);
      if (new Set(values).size !== t.records) throw new Error(`got ${values.length} records, ${new Set(values).size} distinct`);
      return `${values.length} records, committed on close`;
    });
    await steps.step("describe-group", async () => {
      const out = await tool(t, "kafka-consumer-groups", ["--describe", "--group", n.group]);
      const rows = out.split("\n").filter((l) => l.startsWith(`${n.group} `));
      const committed = rows.reduce((s, l) => s + Number(l.split(/\s+/)[3]), 0);
      if (committed !== t.records) throw new Error(`committed offsets add up to ${committed}: ${out.trim()}`);
      return `kafka-consumer-groups --describe: offsets add up to ${committed}`;
    });
    steps.na("transactions", "the console producer has no transactions");
    await steps.step("list-topics", async () => checkListing(t, (await tool(t, "kafka-topics", ["--list"])).split("\n").filter(Boolean)));
    return steps.results;
  },
};
