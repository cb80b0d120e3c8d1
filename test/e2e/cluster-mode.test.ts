// Cluster mode: three kgate nodes (Bun, Deno, Bun) share one state (store.type: kafka) in front
// of a private three-broker cluster, with `listener.advertise: cluster`. They see each other
// within seconds, every node advertises each broker at the same node, one client's connections
// spread over the nodes, and when a node is killed (-9) mid-run its brokers move to the
// survivors: an idempotent producer's acknowledged records are all in the log exactly once, and
// the consumer group goes on reading.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Kafka, logLevel } from "kafkajs";
import { placeBroker } from "../../src/cluster/broker-placement.ts";
import { type KafkaCluster, startKafkaCluster } from "../support/kafka-cluster.ts";
import { adminCall, type KgateProcess, type KgateRuntime, startKgate } from "../support/kgate-process.ts";
import { kafkaCli, REPO_ROOT } from "../support/kafka.ts";
import { runCommand } from "../support/command.ts";

/** A Kafka command-line tool running in the background, its stdout as lines. */
function spawnCli(tool: string, args: string[]) {
  const child = spawn(join(REPO_ROOT, "scripts", "kafka.sh"), ["cli", tool, ...args], { stdio: ["pipe", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (err += d));
  const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, exit, lines: () => out.split("\n").filter((l) => l.startsWith("r")), stderr: () => err };
}

const RUN = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const RUNTIMES: KgateRuntime[] = ["bun", "deno", "bun"];
const HEARTBEAT_MS = 300;
const EXPIRY_MS = 2500;

/** Node ids for which brokers 0, 1 and 2 land on three different nodes: the spread is then certain. */
function spreadNodeIds(): string[] {
  for (let salt = 0;; salt++) {
    const ids = [0, 1, 2].map((i) => `node${i}-${RUN}-${salt}`);
    const placed = new Set([0, 1, 2].map((b) => placeBroker(b, ids)));
    if (placed.size === 3) return ids;
  }
}

let cluster: KafkaCluster;
const nodes: KgateProcess[] = [];
const nodeIds = spreadNodeIds();

async function metricValue(k: KgateProcess, name: string): Promise<number | undefined> {
  const res = await fetch(`${k.adminUrl}/metrics`, { headers: { authorization: `Bearer ${k.adminToken}` } });
  const line = (await res.text()).split("\n").find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.split(" ")[1]);
}

async function waitFor(what: string, check: () => Promise<boolean>, ms = 20_000): Promise<void> {
  for (const end = Date.now() + ms; Date.now() < end;) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

beforeAll(async () => {
  cluster = await startKafkaCluster({ brokers: 3 });
  const config = (i: number) => ({
    listener: { advertise: "cluster" },
    backing: { bootstrapServers: cluster.brokers },
    store: { type: "kafka", topic: `_kgate_state_cluster_${RUN}` },
    cluster: { nodeId: nodeIds[i], topic: `_kgate_cluster_${RUN}`, heartbeatMs: HEARTBEAT_MS, expiryMs: EXPIRY_MS },
  });
  const env = { KGATE_TOKEN_SECRET: `cluster-signing-key-${RUN}-0123456789` };
  for (let i = 0; i < 3; i++) nodes.push(await startKgate({ runtime: RUNTIMES[i], backing: cluster.brokers[0]!, config: config(i), env }));
}, 240_000);

afterAll(async () => {
  for (const n of nodes) await n.stop().catch(() => {});
  await cluster?.stop();
}, 60_000);

describe("a kgate cluster of three nodes", () => {
  test("the nodes see each other within seconds", async () => {
    for (const n of nodes) await waitFor("3 live nodes", async () => (await metricValue(n, "kgate_cluster_nodes")) === 3, 15_000);
  }, 60_000);

  test("every node advertises each broker at the same node, and the brokers spread over all three", async () => {
    const views: string[][] = [];
    for (const n of nodes) {
      const admin = new Kafka({ clientId: "e2e-cluster", brokers: [n.bootstrap], logLevel: logLevel.NOTHING }).admin();
      await admin.connect();
      const { brokers } = await admin.describeCluster();
      await admin.disconnect();
      views.push(brokers.sort((a, b) => a.nodeId - b.nodeId).map((b) => `${b.nodeId}@${b.host}:${b.port}`));
    }
    expect(views[1]).toEqual(views[0]!);
    expect(views[2]).toEqual(views[0]!);
    // Broker i is placed on node i (spreadNodeIds), at that node's broker port for it.
    expect(views[0]).toEqual([0, 1, 2].map((b) => {
      const owner = nodes[nodeIds.indexOf(placeBroker(b, nodeIds)!)]!;
      return `${b}@127.0.0.1:${owner.port + 1 + b}`;
    }));
  }, 60_000);

  test("kill -9 of a node mid-run: every acknowledged record is in the log once, the group goes on", async () => {
    const vc = `vc-cl-${RUN}`;
    await adminCall(nodes[0]!, "PUT", `/v1/vclusters/${vc}`);
    // Issued by another node than the one that created the vcluster: the state is shared.
    const { token } = await adminCall<{ token: string }>(nodes[1]!, "POST", `/v1/vclusters/${vc}/tokens`, { username: "app" });
    const props = join(nodes[0]!.dir, "app.properties");
    writeFileSync(
      props,
      [
        "security.protocol=SASL_PLAINTEXT",
        "sasl.mechanism=PLAIN",
        `sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="app" password="${token}";`,
        "enable.idempotence=true",
        "acks=all",
        "delivery.timeout.ms=90000",
        "reconnect.backoff.max.ms=1000",
      ].join("\n") + "\n",
    );
    const bootstrap = nodes.map((n) => n.bootstrap).join(",");
    const topic = "orders";
    const RECORDS = 1500;
    const created = await kafkaCli("kafka-topics", [
      "--bootstrap-server",
      bootstrap,
      "--command-config",
      props,
      "--create",
      "--topic",
      topic,
      "--partitions",
      "6",
      "--replication-factor",
      "3",
    ]);
    expect(created.code).toBe(0);

    // The group's consumer runs through the kill and must end with every record.
    const consumer = spawnCli("kafka-console-consumer", [
      "--bootstrap-server",
      bootstrap,
      "--consumer.config",
      props,
      "--topic",
      topic,
      "--group",
      "billing",
      "--from-beginning",
      "--max-messages",
      String(RECORDS),
      "--timeout-ms",
      "120000",
    ]);
    const producer = spawnCli("kafka-console-producer", ["--bootstrap-server", bootstrap, "--producer.config", props, "--topic", topic]);
    const victim = nodes[2]!;
    for (let i = 0; i < RECORDS; i += 25) {
      // Killed once records flow through the cluster: some of the clients' connections are on it.
      if (i === 500) {
        await waitFor("the consumer to read records", async () => consumer.lines().length > 50, 60_000);
        victim.child.kill("SIGKILL");
      }
      producer.child.stdin!.write(Array.from({ length: 25 }, (_, j) => `r${i + j}\n`).join(""));
      await new Promise((r) => setTimeout(r, 100));
    }
    producer.child.stdin!.end();
    const producedCode = await producer.exit;
    // The console producer exits 0 only when every record was acknowledged (it logs each failure).
    expect({ code: producedCode, errors: producer.stderr().split("\n").filter((l) => /ERROR|Exception/.test(l)) }).toEqual({ code: 0, errors: [] });

    // The group recovers: the consumer reads every record, those after the kill included.
    expect(await consumer.exit).toBe(0);
    const byGroup = new Set(consumer.lines());
    expect(Array.from({ length: RECORDS }, (_, i) => `r${i}`).filter((v) => !byGroup.has(v))).toEqual([]);

    // In the log exactly once (idempotent producer): a fresh group reads everything from the start.
    const all = await kafkaCli("kafka-console-consumer", [
      "--bootstrap-server",
      bootstrap,
      "--consumer.config",
      props,
      "--topic",
      topic,
      "--group",
      `audit-${RUN}`,
      "--from-beginning",
      "--timeout-ms",
      "15000",
    ], { timeoutMs: 90_000 });
    const inLog = all.stdout.split("\n").filter((l) => l.startsWith("r"));
    const counts = new Map<string, number>();
    for (const v of inLog) counts.set(v, (counts.get(v) ?? 0) + 1);
    expect([...counts].filter(([, n]) => n > 1).map(([v]) => v)).toEqual([]);
    expect(counts.size).toBe(RECORDS);

    // The survivors moved the dead node's brokers to themselves.
    for (const n of nodes.slice(0, 2)) await waitFor("2 live nodes", async () => (await metricValue(n, "kgate_cluster_nodes")) === 2, 15_000);
    const kcat = await runCommand("kcat", [
      "-b",
      nodes[0]!.bootstrap,
      "-X",
      "security.protocol=SASL_PLAINTEXT",
      "-X",
      "sasl.mechanisms=PLAIN",
      "-X",
      "sasl.username=app",
      "-X",
      `sasl.password=${token}`,
      "-L",
      "-J",
    ], { timeoutMs: 30_000 });
    expect(kcat.code).toBe(0);
    const brokers = (JSON.parse(kcat.stdout) as { brokers: { id: number; name: string }[] }).brokers.map((b) => ({ port: Number(b.name.split(":")[1]) }));
    expect(brokers.length).toBe(3);
    const survivorPorts = nodes.slice(0, 2).flatMap((n) => [0, 1, 2].map((b) => n.port + 1 + b));
    for (const b of brokers) expect(survivorPorts).toContain(b.port);
    // And the prefix holds on the backing cluster.
    const direct = new Kafka({ clientId: "e2e-cluster-direct", brokers: cluster.brokers, logLevel: logLevel.NOTHING }).admin();
    try {
      await direct.connect();
      expect(await direct.listTopics()).toContain(`${vc}.${topic}`);
    } finally {
      await direct.disconnect();
    }
  }, 240_000);
});
