// kcat (librdkafka): produce, consume in a group, list. It has no admin API (the topics are made
// with kafkajs) and cannot describe groups; its transactional producer commits at end of input
// but has no way to abort.
import { runCommand } from "../../support/command.ts";
import { checkListing, type CompatClient, type CompatTarget, scenarioNames, StepRunner } from "../types.ts";
import { Kafka, logLevel } from "kafkajs";

function login(t: CompatTarget): string[] {
  return [
    "-b",
    t.bootstrap,
    ...(t.sasl
      ? [
        "-X",
        "security.protocol=SASL_PLAINTEXT",
        "-X",
        "sasl.mechanism=PLAIN",
        "-X",
        `sasl.username=${t.sasl.username}`,
        "-X",
        `sasl.password=${t.sasl.password}`,
      ]
      : []),
  ];
}

async function kcat(t: CompatTarget, args: string[], input?: string) {
  const res = await runCommand("kcat", [...login(t), ...args], { input, timeoutMs: 90_000 });
  if (res.code !== 0) throw new Error(`kcat ${args.slice(0, 2).join(" ")} exit ${res.code}: ${res.stderr.trim().split("\n").slice(-2).join(" | ")}`);
  return res.stdout;
}

const groupRead = (t: CompatTarget, group: string, topic: string, extra: string[] = []) =>
  kcat(t, ["-G", group, topic, "-X", "auto.offset.reset=earliest", "-e", "-q", "-f", "%s\\n", ...extra]).then((out) => out.split("\n").filter(Boolean));

export const kcatClient: CompatClient = {
  name: "kcat (librdkafka)",
  fast: true,
  async version() {
    const res = await runCommand("kcat", ["-V"]);
    return /Version (\S+) .*librdkafka (\S+)/.exec(res.stdout)?.slice(1).join(", librdkafka ") ?? "?";
  },
  standardNames: true,
  async unavailable() {
    const res = await runCommand("kcat", ["-V"]).catch(() => null);
    return res?.code === 0 ? null : "kcat not installed (apt-get install kcat)";
  },
  async run(t) {
    const n = scenarioNames(t);
    const steps = new StepRunner();
    steps.na("create-topic", "kcat has no admin API; the topics were created with kafkajs");
    await steps.step("create-topic (kafkajs)", async () => {
      const kafka = new Kafka({ brokers: [t.bootstrap], logLevel: logLevel.NOTHING, ...(t.sasl ? { sasl: { mechanism: "plain" as const, ...t.sasl } } : {}) });
      const admin = kafka.admin();
      await admin.connect();
      try {
        await admin.createTopics({ topics: [{ topic: n.topic, numPartitions: 3 }, { topic: n.txTopic, numPartitions: 1 }], waitForLeaders: true });
      } finally {
        await admin.disconnect();
      }
      return `${n.topic}, ${n.txTopic}`;
    });
    await steps.step("produce", async () => {
      const input = Array.from({ length: t.records }, (_, i) => `k${i}:v${i}\n`).join("");
      await kcat(t, ["-P", "-t", n.topic, "-K:", "-X", "enable.idempotence=true", "-X", "acks=all"], input);
      return `${t.records} records, idempotent`;
    });
    await steps.step("consume-commit", async () => {
      const values = await groupRead(t, n.group, n.topic);
      if (new Set(values).size !== t.records) throw new Error(`got ${values.length} records, ${new Set(values).size} distinct`);
      // The group committed on close: reading again in it finds nothing new.
      const again = await groupRead(t, n.group, n.topic);
      if (again.length !== 0) throw new Error(`the group read ${again.length} records again: offsets were not committed`);
      return `${values.length} records; a second read in the group found none`;
    });
    steps.na("describe-group", "kcat cannot describe groups; a second read in the group shows the commit");
    await steps.step("transactions (commit only)", async () => {
      await kcat(t, ["-P", "-t", n.txTopic, "-X", `transactional.id=${n.transactionalId}`], "committed\n");
      const values = await groupRead(t, n.txReaderGroup, n.txTopic, ["-X", "isolation.level=read_committed"]);
      if (values.join(",") !== "committed") throw new Error(`read_committed saw ${values.join(",")}`);
      return "a transactional kcat producer committed; a read_committed kcat consumer saw it";
    });
    steps.na("transactions", "kcat commits its transaction at end of input and has no way to abort one");
    await steps.step("list-topics", async () => {
      const meta = JSON.parse(await kcat(t, ["-L", "-J"])) as { topics: { topic: string }[] };
      return checkListing(t, meta.topics.map((x) => x.topic));
    });
    return steps.results;
  },
};
