// Kafka Connect 4.4, a distributed worker inside a vcluster, with a source connector
// (test/compat/java/CountingSource.java): the worker's config/offset/status topics, its group and
// the connector's topic must be prefixed on the backing cluster, and the records must arrive.
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { spawn } from "node:child_process";
import { Kafka, logLevel } from "kafkajs";
import { nextPortBlock } from "../../support/kgate-process.ts";
import { classpath, compileJava, javaArgs, KAFKA_LIBS } from "../jars.ts";
import { type CompatClient, type CompatTarget, StepRunner } from "../types.ts";

const connectorClasses = () => compileJava("connect-source-4.4", classpath(KAFKA_LIBS), ["CountingSource.java"]);
const LINES = 50;

function workerProperties(t: CompatTarget, restPort: number): string {
  const s = t.suffix;
  const sasl = t.sasl
    ? [
      "security.protocol=SASL_PLAINTEXT",
      "sasl.mechanism=PLAIN",
      `sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="${t.sasl.username}" password="${t.sasl.password}";`,
    ]
    : [];
  return [
    `bootstrap.servers=${t.bootstrap}`,
    `group.id=connect-cluster${s}`,
    `config.storage.topic=connect-configs${s}`,
    `offset.storage.topic=connect-offsets${s}`,
    `status.storage.topic=connect-status${s}`,
    "config.storage.replication.factor=1",
    "offset.storage.replication.factor=1",
    "status.storage.replication.factor=1",
    "offset.storage.partitions=2",
    "status.storage.partitions=1",
    "key.converter=org.apache.kafka.connect.storage.StringConverter",
    "value.converter=org.apache.kafka.connect.storage.StringConverter",
    "offset.flush.interval.ms=1000",
    `listeners=http://127.0.0.1:${restPort}`,
    "plugin.discovery=only_scan",
    ...sasl,
    ...sasl.map((l) => `producer.${l}`),
    ...sasl.map((l) => `consumer.${l}`),
    ...sasl.map((l) => `admin.${l}`),
    "",
  ].join("\n");
}

async function rest(port: number, method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  try {
    return { status: res.status, json: text ? JSON.parse(text) : undefined };
  } catch {
    return { status: res.status, json: text.replace(/<[^>]*>/g, " ").replace(/\s+/g, " ").trim().slice(0, 200) };
  }
}

async function until<T>(what: string, ms: number, probe: () => Promise<T | undefined>): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${what} not within ${ms / 1000} s${last ? ` (${String(last)})` : ""}`);
}

export const connectClient: CompatClient = {
  name: "Kafka Connect 4.4 (distributed, source connector)",
  async unavailable() {
    return existsSync(join(KAFKA_LIBS, "connect-runtime-4.4.0.jar")) ? null : "no connect-runtime in .kafka/libs";
  },
  async run(t) {
    const s = t.suffix;
    const steps = new StepRunner();
    const restPort = nextPortBlock() + 45;
    const props = join(t.workDir, "worker.properties");
    writeFileSync(props, workerProperties(t, restPort));
    const cp = `${await connectorClasses()}:${classpath(KAFKA_LIBS)}`;
    const worker = spawn("java", [
      ...javaArgs(cp, "org.apache.kafka.connect.cli.ConnectDistributed", [`-Dlog4j2.configurationFile=${join(KAFKA_LIBS, "..", "log4j2-cli.xml")}`]),
      props,
    ], {
      cwd: t.workDir,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    worker.stdout.on("data", (d) => (output += d));
    worker.stderr.on("data", (d) => (output += d));
    const exited = new Promise<void>((r) => worker.on("exit", () => r()));
    try {
      await steps.step("worker-start", async () => {
        await until("the worker's REST API", 120_000, async () => {
          if (worker.exitCode !== null) throw new Error(`worker exited ${worker.exitCode}: ${output.split("\n").slice(-5).join(" | ")}`);
          return (await rest(restPort, "GET", "/connectors")).status === 200 ? true : undefined;
        });
        return "distributed worker joined its group; REST API up";
      });
      await steps.step("connector", async () => {
        // 409 while the worker's group is still rebalancing: try again.
        await until("POST /connectors accepted", 60_000, async () => {
          const res = await rest(restPort, "POST", "/connectors", {
            name: `counting-source${s}`,
            config: { "connector.class": "CountingSource", "tasks.max": "1", count: String(LINES), topic: `source-lines${s}` },
          });
          if (res.status === 201) return res;
          if (res.status !== 409) throw new Error(`POST /connectors: ${res.status} ${JSON.stringify(res.json)}`);
          return undefined;
        });
        const status = await until("connector and task RUNNING", 90_000, async () => {
          const st = (await rest(restPort, "GET", `/connectors/counting-source${s}/status`)).json as {
            connector?: { state: string };
            tasks?: { state: string; trace?: string }[];
          };
          const failed = st.tasks?.find((x) => x.state === "FAILED");
          if (failed) throw new Error(`task FAILED: ${failed.trace?.split("\n")[0]}`);
          return st.connector?.state === "RUNNING" && st.tasks?.[0]?.state === "RUNNING" ? st : undefined;
        });
        return `connector ${status.connector!.state}, task ${status.tasks![0]!.state}`;
      });
      await steps.step("records", async () => {
        const kafka = new Kafka({
          brokers: [t.bootstrap],
          logLevel: logLevel.NOTHING,
          ...(t.sasl ? { sasl: { mechanism: "plain" as const, ...t.sasl } } : {}),
        });
        const consumer = kafka.consumer({ groupId: `source-reader${s}` });
        const values: string[] = [];
        await consumer.connect();
        try {
          await consumer.subscribe({ topic: `source-lines${s}`, fromBeginning: true });
          await new Promise<void>((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`read ${values.length} of ${LINES} lines`)), 60_000);
            void consumer.run({
              eachMessage: async ({ message }) => {
                values.push(message.value!.toString());
                if (values.length >= LINES) {
                  clearTimeout(timer);
                  resolve();
                }
              },
            });
          });
        } finally {
          await consumer.disconnect();
        }
        return `${values.length} records from the connector, read with kafkajs`;
      });
      if (t.backing) {
        const b = t.backing;
        await steps.step("backing-prefixed", async () => {
          const wanted = [`connect-configs${s}`, `connect-offsets${s}`, `connect-status${s}`, `source-lines${s}`].map((x) => b.prefix + x);
          const result = await until("prefixed internal topics and group", 30_000, async () => {
            const [topics, groups] = await Promise.all([b.topics(), b.groups()]);
            const missing = wanted.filter((x) => !topics.includes(x));
            if (!groups.includes(`${b.prefix}connect-cluster${s}`)) missing.push(`group ${b.prefix}connect-cluster${s}`);
            return missing.length ? undefined : topics;
          }).catch(async (err) => {
            const [topics, groups] = await Promise.all([b.topics(), b.groups()]);
            throw new Error(`${(err as Error).message}; backing has ${topics.join(",")} and groups ${groups.join(",")}`);
          });
          return `backing cluster: ${result.map((x) => x.slice(b.prefix.length)).join(", ")} and group connect-cluster, all under ${b.prefix}`;
        });
      }
    } finally {
      worker.kill("SIGTERM");
      const timer = setTimeout(() => worker.kill("SIGKILL"), 15_000);
      await exited;
      clearTimeout(timer);
    }
    return steps.results;
  },
};
