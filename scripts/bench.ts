// `npm run bench`: Kafka's own kafka-producer-perf-test and kafka-consumer-perf-test, directly
// against the broker and through kgate (under Bun and under Deno), in one run, with the ratio
// kgate/direct for each. The broker is the tests' (KAFKA_BOOTSTRAP, else scripts/kafka.sh).
//
// Per round and target:
//   produce   N records of 1 KiB as fast as possible (--throughput -1)      -> MB/s
//   latency   a fixed rate well below saturation (at full speed, latency is just the producer's
//             buffer.memory divided by throughput, whatever the path); the first quarter is
//             warm-up (--warmup-records), the steady state is reported     -> p50/p99 ms
//   consume   a new consumer group reads the topic's last N records (this round's, in the page
//             cache for every target alike)                                  -> MB/s
// Each phase opens with an unmeasured run (a quarter of N) and every run starts after a `sync`.
// The passthrough targets share one topic and each vcluster has its own; every consume run reads
// the same number of records (as many as the smallest topic got in the first round), so the
// consumer's start weighs the same in every figure.
// Besides kgate, three bare byte relays (socat, and scripts/bench-relay.ts on Bun and on Deno)
// carry the same traffic: no proxy can beat its relay, so they show what this machine's loopback
// and each runtime's socket I/O cost before kgate does any Kafka work.
// Rounds alternate the target order; the table shows each figure's median over the rounds
// (one disturbed run on a shared 2-core box does not decide the result); every run is printed.
//
// Environment (defaults in brackets):
//   BENCH_RECORDS [600000]        records per produce run (1 KiB each: 10-15 s direct on 2 cores)
//   BENCH_ROUNDS [3]              rounds over all targets
//   BENCH_RECORD_SIZE [1024]
//   BENCH_PARTITIONS [3]
//   BENCH_LATENCY_RATE [2000]     records/s of the latency run
//   BENCH_LATENCY_RECORDS [16000] records of the latency run (8 s at the default rate)
//   BENCH_TARGETS                 comma-separated target names to run (default: all but opt-in ones)
//   BENCH_BROKERS [1]             3: a private three-broker cluster as the backing (PLAINTEXT targets
//                                 only) and the "kgate cluster x3" target: three kgate nodes in
//                                 cluster mode, the brokers spread over them, vs direct
//   BENCH_PROBE_RATE [500]        round trips/s of the microsecond latency probe
//   BENCH_PROBE_COUNT [3000]      round trips of the probe per round and target
// Besides the printed table, the summary is written as JSON to .tmp/bench/bench-<time>.json and
// .tmp/bench/latest.json (target, MB/s, ratios, latency in µs, CPU ms per MB, RSS).
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { type Admin, Kafka, logLevel } from "kafkajs";
import { kafkaBootstrap, REPO_ROOT } from "../test/support/kafka.ts";
import { adminCall, type KgateProcess, type KgateRuntime, startKgate } from "../test/support/kgate-process.ts";
import { startKafkaCluster } from "../test/support/kafka-cluster.ts";
import { reachable } from "./lib/reachable.ts";
import { latencyProbe, type ProbeResult, type ProbeTarget } from "./bench-latency-probe.ts";

const env = (name: string, fallback: number) => {
  const v = process.env[name];
  if (v === undefined || v === "") return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number (got "${v}")`);
  return n;
};
const RECORDS = env("BENCH_RECORDS", 600_000);
const ROUNDS = env("BENCH_ROUNDS", 3);
const RECORD_SIZE = env("BENCH_RECORD_SIZE", 1024);
const PARTITIONS = env("BENCH_PARTITIONS", 3);
const LATENCY_RATE = env("BENCH_LATENCY_RATE", 2000);
const LATENCY_RECORDS = env("BENCH_LATENCY_RECORDS", 16_000);
const PROBE_RATE = env("BENCH_PROBE_RATE", 500);
const PROBE_COUNT = env("BENCH_PROBE_COUNT", 3000);
/** Records of the unmeasured run that opens each round's produce and consume phases. */
const WARMUP_RECORDS = Math.ceil(RECORDS / 4);
const MIB = 1024 * 1024;
const KAFKA_SH = join(REPO_ROOT, "scripts", "kafka.sh");

// ---------------------------------------------------------------------------------------------
// Targets: adding one (e.g. a vcluster with SASL and a prefix) is one entry in TARGETS.

interface Endpoint {
  bootstrap: string;
  /** Client properties beyond bootstrap.servers (SASL, ...), for both perf tools. */
  clientProperties?: Record<string, string>;
  /** The backing cluster holds the client's topic `t` as `${topicPrefix}t` (a vcluster's prefix). */
  topicPrefix?: string;
  /** Processes whose CPU time and memory are worth reporting (kgate; several for a cluster). */
  pids?: number[];
  /** How the latency probe (kgate's own client) logs in: SASL and TLS as the perf tools do. */
  probe?: Omit<ProbeTarget, "bootstrap">;
  stop(): Promise<void>;
}

interface Target {
  name: string;
  /** Runs only when named in BENCH_TARGETS, or with BENCH_BROKERS=3 (cluster targets). */
  optIn?: boolean;
  /** Needs the shared broker (its SSL or relay listeners): not with BENCH_BROKERS=3. */
  sharedBroker?: boolean;
  /** False when what it runs is not installed (socat): left out of the default targets, said so. */
  available?: () => boolean;
  /** The target its ratios compare with (default "direct"; TLS targets compare with "direct (TLS)"). */
  baseline?: string;
  start(backing: string): Promise<Endpoint>;
}

function kgateTarget(name: string, runtime: KgateRuntime, config?: Record<string, unknown>): Target {
  return {
    name,
    async start(backing) {
      const kgate = await startKgate({ runtime, backing, config });
      return {
        bootstrap: kgate.bootstrap,
        pids: [kgate.child.pid!],
        async stop() {
          const code = await kgate.stop();
          if (code !== 0) console.error(`${name} exited with ${code}; last log lines:\n${kgate.logs().split("\n").slice(-20).join("\n")}`);
        },
      };
    },
  };
}

/** kgate with a virtual cluster: SASL/PLAIN with a token, every name prefixed. */
function vclusterTarget(name: string, runtime: KgateRuntime): Target {
  return {
    name,
    async start(backing) {
      const kgate = await startKgate({ runtime, backing });
      const vcluster = `vc-bench-${Date.now().toString(36)}`;
      await adminCall(kgate, "PUT", `/v1/vclusters/${vcluster}`);
      const { token } = await adminCall<{ token: string }>(kgate, "POST", `/v1/vclusters/${vcluster}/tokens`, { username: "bench" });
      return {
        bootstrap: kgate.bootstrap,
        pids: [kgate.child.pid!],
        topicPrefix: `${vcluster}.`,
        probe: { sasl: { mechanism: "PLAIN", username: "bench", password: token } },
        clientProperties: {
          "security.protocol": "SASL_PLAINTEXT",
          "sasl.mechanism": "PLAIN",
          "sasl.jaas.config": `org.apache.kafka.common.security.plain.PlainLoginModule required username="bench" password="${token}";`,
        },
        async stop() {
          await kgate.stop();
        },
      };
    },
  };
}

// TLS: the broker's SSL listener (scripts/kafka.sh, 9093) with the checkout's test CA; kgate with
// TLS on both sides (listener: the broker's test certificate, which covers 127.0.0.1; backing: 9093).
const TLS_DIR = join(REPO_ROOT, ".kafka", "tls");
const SSL_BOOTSTRAP = "127.0.0.1:9093";
const sslClient = { "security.protocol": "SSL", "ssl.truststore.type": "PEM", "ssl.truststore.location": join(TLS_DIR, "ca.pem") };
const sslProbe = () => ({ tls: { ca: readFileSync(join(TLS_DIR, "ca.pem"), "utf8") } });

function tlsKgateTarget(name: string, runtime: KgateRuntime): Target {
  return {
    name,
    sharedBroker: true,
    baseline: "direct (TLS)",
    async start() {
      const kgate = await startKgate({
        runtime,
        backing: SSL_BOOTSTRAP,
        config: {
          listener: { host: "127.0.0.1", advertisedHost: "127.0.0.1", tls: { cert: join(TLS_DIR, "broker.pem"), key: join(TLS_DIR, "broker-key.pem") } },
          backing: { bootstrapServers: [SSL_BOOTSTRAP], tls: { ca: join(TLS_DIR, "ca.pem") } },
        },
      });
      return {
        bootstrap: kgate.bootstrap,
        pids: [kgate.child.pid!],
        clientProperties: sslClient,
        probe: sslProbe(),
        stop: async () => void (await kgate.stop()),
      };
    },
  };
}

// Bare byte relays, the floor under any proxy on this machine: scripts/kafka.sh gives the shared
// broker three listeners (9102..9104) that advertise 9112..9114, where these relays listen, so a
// client's every connection goes through the relay although nothing rewrites broker addresses.
const RELAY_LISTENER_PORT = 9102;
const RELAY_ADVERTISED_PORT = 9112;

function relayTarget(name: string, slot: number, command: (listen: number, upstream: number) => string[], available?: () => boolean): Target {
  return {
    name,
    sharedBroker: true,
    available,
    async start() {
      const listen = RELAY_ADVERTISED_PORT + slot;
      const [cmd, ...args] = command(listen, RELAY_LISTENER_PORT + slot);
      const child = spawn(cmd!, args, { stdio: ["ignore", "ignore", "inherit"] });
      const at = `127.0.0.1:${listen}`;
      for (let i = 0; i < 100 && !(await reachable(at)); i++) await new Promise((r) => setTimeout(r, 100));
      if (!(await reachable(at))) throw new Error(`${name}: nothing listens at 127.0.0.1:${listen} (is ${cmd} installed?)`);
      return {
        bootstrap: at,
        pids: [child.pid!],
        async stop() {
          if (child.exitCode !== null || child.signalCode !== null) return;
          const exited = new Promise((r) => child.once("exit", r));
          child.kill("SIGTERM");
          await exited;
        },
      };
    },
  };
}

function onPath(command: string): boolean {
  try {
    execFileSync("sh", ["-c", `command -v ${command}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

const BIN = join(REPO_ROOT, "node_modules", ".bin");
const RELAY_SCRIPT = join(REPO_ROOT, "scripts", "bench-relay.ts");

const TARGETS: Target[] = [
  { name: "direct", start: async (backing) => ({ bootstrap: backing, stop: async () => {} }) },
  kgateTarget("kgate (bun)", "bun"),
  kgateTarget("kgate (deno)", "deno"),
  vclusterTarget("vcluster (bun)", "bun"),
  vclusterTarget("vcluster (deno)", "deno"),
  {
    name: "direct (TLS)",
    sharedBroker: true,
    baseline: "direct (TLS)",
    start: async () => ({ bootstrap: SSL_BOOTSTRAP, clientProperties: sslClient, probe: sslProbe(), stop: async () => {} }),
  },
  tlsKgateTarget("kgate TLS (bun)", "bun"),
  tlsKgateTarget("kgate TLS (deno)", "deno"),
  clusterTarget("kgate cluster x3", ["bun", "deno", "bun"]),
  // socat copies through a 256 KiB buffer with read(2)/write(2): a relay in C.
  relayTarget(
    "relay (socat)",
    0,
    (l, u) => ["socat", "-b262144", `TCP-LISTEN:${l},bind=127.0.0.1,reuseaddr,fork,nodelay`, `TCP:127.0.0.1:${u},nodelay`],
    () => onPath("socat"),
  ),
  relayTarget("relay (bun)", 1, (l, u) => [join(BIN, "bun"), RELAY_SCRIPT, String(l), String(u)]),
  relayTarget("relay (deno)", 2, (l, u) => [join(BIN, "deno"), "run", "-A", RELAY_SCRIPT, String(l), String(u)]),
];

/** Three kgate nodes in cluster mode (shared Kafka store): clients bootstrap from all three. */
function clusterTarget(name: string, runtimes: KgateRuntime[]): Target {
  return {
    name,
    optIn: true,
    async start(backing) {
      const run = Date.now().toString(36);
      const env = { KGATE_TOKEN_SECRET: `bench-cluster-${run}-0123456789abcdef` };
      const nodes: KgateProcess[] = [];
      for (const [i, runtime] of runtimes.entries()) {
        nodes.push(
          await startKgate({
            runtime,
            backing,
            env,
            config: {
              listener: { advertise: "cluster" },
              store: { type: "kafka", topic: `_kgate_state_bench_${run}` },
              cluster: { nodeId: `bench-${i}-${run}`, topic: `_kgate_cluster_bench_${run}`, heartbeatMs: 500, expiryMs: 2500 },
            },
          }),
        );
      }
      await new Promise((r) => setTimeout(r, 2000)); // a few heartbeats: every node sees the others
      return {
        bootstrap: nodes.map((n) => n.bootstrap).join(","),
        pids: nodes.map((n) => n.child.pid!),
        async stop() {
          for (const n of nodes) await n.stop();
        },
      };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Kafka's perf tools

interface ProduceResult {
  mbPerSec: number;
  recordsPerSec: number;
  p50: number;
  p99: number;
  avgLatency: number;
}

interface ConsumeResult {
  mbPerSec: number;
  fetchMbPerSec: number;
  seconds: number;
}

function runTool(tool: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(KAFKA_SH, ["cli", tool, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0) resolve(out);
      else reject(new Error(`${tool} exited ${code}:\n${err}${out}`));
    });
  });
}

function propertiesFile(dir: string, name: string, props: Record<string, string> | undefined): string[] {
  if (!props || Object.keys(props).length === 0) return [];
  const path = join(dir, `${name.replace(/[^a-z0-9-]+/gi, "_")}.properties`);
  writeFileSync(path, Object.entries(props).map(([k, v]) => `${k}=${v}`).join("\n") + "\n");
  return ["--command-config", path];
}

// "500000 records sent, 25000.1 records/sec (24.41 MB/sec), 980.5 ms avg latency, 2837.00 ms max
// latency, 866 ms 50th, 2255 ms 95th, 2629 ms 99th, 2791 ms 99.9th." With --warmup-records, a
// second line follows: "N steady state records sent, ...".
const PRODUCE_SUMMARY =
  /(\d+) (steady state )?records sent, ([\d.]+) records\/sec \(([\d.]+) MB\/sec\), ([\d.]+) ms avg latency, [\d.]+ ms max latency, (\d+) ms 50th, \d+ ms 95th, (\d+) ms 99th/g;

async function producePerf(
  endpoint: Endpoint,
  topic: string,
  records: number,
  throughput: number,
  extra: string[],
  warmup = 0,
): Promise<ProduceResult> {
  const out = await runTool("kafka-producer-perf-test", [
    "--topic",
    topic,
    "--num-records",
    String(records),
    "--record-size",
    String(RECORD_SIZE),
    "--throughput",
    String(throughput),
    "--bootstrap-server",
    endpoint.bootstrap,
    ...(warmup > 0 ? ["--warmup-records", String(warmup)] : []),
    ...extra,
  ]);
  const want = records - warmup;
  const m = [...out.matchAll(PRODUCE_SUMMARY)].find((m) => Number(m[1]) === want && !!m[2] === warmup > 0);
  if (!m) throw new Error(`no summary for ${want} records in kafka-producer-perf-test output:\n${out}`);
  return { recordsPerSec: Number(m[3]), mbPerSec: Number(m[4]), avgLatency: Number(m[5]), p50: Number(m[6]), p99: Number(m[7]) };
}

async function consumePerf(endpoint: Endpoint, topic: string, records: number, group: string, extra: string[]): Promise<ConsumeResult> {
  const out = await runTool("kafka-consumer-perf-test", [
    "--bootstrap-server",
    endpoint.bootstrap,
    "--topic",
    topic,
    "--num-records",
    String(records),
    "--group",
    group,
    "--timeout",
    "30000",
    ...extra,
  ]);
  // start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec,
  // rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec
  const row = out.trim().split("\n").map((l) => l.split(",").map((c) => c.trim())).reverse().find((c) => c.length === 10 && /^\d/.test(c[2]!));
  if (!row) throw new Error(`no result row in kafka-consumer-perf-test output:\n${out}`);
  const consumed = Number(row[4]);
  if (consumed < records) throw new Error(`consumer read ${consumed} of ${records} records:\n${out}`);
  return { mbPerSec: Number(row[3]), fetchMbPerSec: Number(row[8]), seconds: Number(row[7]) / 1000 };
}

/**
 * Commits `group` (a backing group id) at the last `records` records of `topic`, spread over its
 * partitions: the consume run then reads what this round just produced, which is in the page cache
 * for every target alike. From the start, a topic read by many targets (the passthrough one) stays
 * cached while a vcluster's, read once a round, is evicted by the gigabytes produced since, and
 * its consume measured the disk.
 */
async function startAtTail(admin: Admin, topic: string, group: string, records: number): Promise<void> {
  const ends = await admin.fetchTopicOffsets(topic);
  // As even as the topic allows: the smallest partitions first, each giving its share of what
  // is still wanted or all it has (then the larger ones give more).
  const start = new Map(ends.map((p) => [p.partition, Number(p.high)]));
  let left = records;
  const bySize = [...ends].sort((a, b) => Number(a.high) - Number(a.low) - (Number(b.high) - Number(b.low)));
  for (const [i, p] of bySize.entries()) {
    const take = Math.min(Number(p.high) - Number(p.low), Math.ceil(left / (bySize.length - i)));
    start.set(p.partition, Number(p.high) - take);
    left -= take;
  }
  await admin.setOffsets({ groupId: group, topic, partitions: ends.map((p) => ({ partition: p.partition, offset: String(start.get(p.partition)) })) });
}

/** CPU seconds of all `pids` together; undefined when one cannot be read. */
function cpuSecondsOf(pids: number[] | undefined): number | undefined {
  if (!pids?.length) return undefined;
  let total = 0;
  for (const pid of pids) {
    const s = cpuSeconds(pid);
    if (s === undefined) return undefined;
    total += s;
  }
  return total;
}

function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // utime, stime, and the same of reaped children (socat forks one per connection)
    const ticks = Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
    return ticks / CLOCK_TICKS + liveChildren(pid).reduce((sum, child) => sum + (cpuSeconds(child) ?? 0), 0);
  } catch {
    return undefined;
  }
}

const CLOCK_TICKS = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;

function liveChildren(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Resident set size of a process now, in MiB; undefined when it cannot be read. */
function rssMib(pids: number[] | undefined): number | undefined {
  if (!pids?.length) return undefined;
  try {
    let kb = 0;
    for (const pid of pids) kb += Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]);
    return Number.isFinite(kb) ? kb / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Runs `run`, with the process's CPU time during it: as a share of wall time and in seconds. */
async function measured<T>(pids: number[] | undefined, run: () => Promise<T>): Promise<{ result: T; cpu?: number; cpuSeconds?: number }> {
  const cpu0 = cpuSecondsOf(pids);
  const t0 = performance.now();
  const result = await run();
  const seconds = (performance.now() - t0) / 1000;
  const cpu1 = cpuSecondsOf(pids);
  if (cpu0 === undefined || cpu1 === undefined) return { result };
  return { result, cpu: (cpu1 - cpu0) / seconds, cpuSeconds: cpu1 - cpu0 };
}

/** kgate's CPU milliseconds per MiB moved; the goal is at most 1 (1 mCPU per MiB/s). */
const msPerMib = (cpuSeconds: number | undefined, bytes: number) => (cpuSeconds === undefined ? undefined : (cpuSeconds * 1000) / (bytes / MIB));

// ---------------------------------------------------------------------------------------------

interface Row {
  produce?: ProduceResult;
  produceCpu?: number;
  produceCpuMsPerMib?: number;
  latency?: ProduceResult;
  probe?: ProbeResult;
  consume?: ConsumeResult;
  consumeCpu?: number;
  consumeCpuMsPerMib?: number;
  rssMib?: number;
}

async function main(): Promise<void> {
  const only = process.env.BENCH_TARGETS?.split(",").map((s) => s.trim()).filter(Boolean);
  const threeBrokers = env("BENCH_BROKERS", 1) >= 3;
  const missing = TARGETS.filter((t) => t.available && !t.available());
  for (const t of missing) console.log(`${t.name}: not installed here, left out (apt-get install socat)`);
  const targets = only
    ? TARGETS.filter((t) => only.includes(t.name))
    : TARGETS.filter((t) => !missing.includes(t) && (threeBrokers ? !t.sharedBroker : !t.optIn));
  if (targets.length === 0) throw new Error(`BENCH_TARGETS matches none of: ${TARGETS.map((t) => t.name).join(", ")}`);
  const privateCluster = threeBrokers ? await startKafkaCluster({ brokers: 3 }) : undefined;
  const backing = privateCluster ? privateCluster.brokers[0]! : await kafkaBootstrap();
  const base = `bench-${Date.now()}`;
  const dir = mkdtempSync(join(tmpdir(), "kgate-bench-"));
  console.log(
    `kgate bench: ${RECORDS} x ${RECORD_SIZE} B per produce run, latency at ${LATENCY_RATE} records/s, ` +
      `${ROUNDS} round(s), ${PARTITIONS} partitions, broker ${backing}`,
  );

  const endpoints = new Map<Target, Endpoint>();
  const admin = new Kafka({ clientId: "kgate-bench", brokers: [backing], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  const backingTopics = new Set<string>();
  try {
    for (const t of targets) endpoints.set(t, await t.start(backing));
    for (const e of endpoints.values()) for (const suffix of ["", "-latency"]) backingTopics.add(`${e.topicPrefix ?? ""}${base}${suffix}`);
    const probeTopics = new Set([...endpoints.values()].map((e) => `${e.topicPrefix ?? ""}${base}-probe`));
    await admin.createTopics({
      topics: [
        ...[...backingTopics].map((topic) => ({ topic, numPartitions: PARTITIONS })),
        ...[...probeTopics].map((topic) => ({ topic, numPartitions: 1 })),
      ],
      waitForLeaders: true,
    });
    for (const t of probeTopics) backingTopics.add(t);

    const rounds: Map<Target, Row>[] = [];
    const producedInFirstRound = new Map<string, number>();
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? targets : [...targets].reverse();
      const rows = new Map<Target, Row>(targets.map((t) => [t, {}]));
      rounds.push(rows);
      console.log(`\nround ${round + 1}/${ROUNDS}`);
      const first = endpoints.get(order[0]!)!;
      const firstProps = propertiesFile(dir, order[0]!.name, first.clientProperties);
      // The first run of a phase was the slowest whatever its target (direct first: 38.5 MB/s,
      // then 50-56 for the proxies): a run nobody measures takes that toll for all of them.
      await producePerf(first, `${base}-latency`, WARMUP_RECORDS, -1, firstProps);
      for (const t of order) {
        const e = endpoints.get(t)!;
        const props = propertiesFile(dir, t.name, e.clientProperties);
        execFileSync("sync"); // the previous run's dirty pages written back now, not during this one
        const m = await measured(e.pids, () => producePerf(e, base, RECORDS, -1, props));
        rows.get(t)!.produce = m.result;
        rows.get(t)!.produceCpu = m.cpu;
        rows.get(t)!.produceCpuMsPerMib = msPerMib(m.cpuSeconds, RECORDS * RECORD_SIZE);
        if (round === 0) {
          const backingTopic = `${e.topicPrefix ?? ""}${base}`;
          producedInFirstRound.set(backingTopic, (producedInFirstRound.get(backingTopic) ?? 0) + RECORDS);
        }
        console.log(`  ${t.name.padEnd(14)} produce  ${fmt(m.result.mbPerSec)} MB/s${cpuNote(m.cpu)}`);
      }
      for (const t of order) {
        const e = endpoints.get(t)!;
        const props = propertiesFile(dir, t.name, e.clientProperties);
        const r = await producePerf(e, `${base}-latency`, LATENCY_RECORDS, LATENCY_RATE, props, Math.floor(LATENCY_RECORDS / 4));
        rows.get(t)!.latency = r;
        console.log(`  ${t.name.padEnd(14)} latency  p50 ${r.p50} ms, p99 ${r.p99} ms at ${LATENCY_RATE} records/s`);
      }
      for (const t of order) {
        const e = endpoints.get(t)!;
        const p = await latencyProbe({ bootstrap: e.bootstrap, ...e.probe }, `${base}-probe`, {
          rate: PROBE_RATE,
          count: PROBE_COUNT,
          recordSize: RECORD_SIZE,
        });
        rows.get(t)!.probe = p;
        console.log(
          `  ${t.name.padEnd(14)} probe    produce p50 ${p.produce.p50} µs p99 ${p.produce.p99} µs, fetch p50 ${p.fetch.p50} µs p99 ${p.fetch.p99} µs`,
        );
      }
      const warmGroup = `${base}-warmup-${round}`;
      await startAtTail(admin, `${first.topicPrefix ?? ""}${base}`, `${first.topicPrefix ?? ""}${warmGroup}`, WARMUP_RECORDS);
      await consumePerf(first, base, WARMUP_RECORDS, warmGroup, firstProps);
      for (const t of order) {
        const e = endpoints.get(t)!;
        const props = propertiesFile(dir, t.name, e.clientProperties);
        // Every target reads as many records (the fewest any topic holds): a shorter run carries
        // more of the consumer's start (connections, first fetches) and would compare unfairly.
        const records = Math.min(...producedInFirstRound.values());
        const group = `${base}-${t.name.replace(/\W+/g, "")}-${round}`;
        await startAtTail(admin, `${e.topicPrefix ?? ""}${base}`, `${e.topicPrefix ?? ""}${group}`, records);
        execFileSync("sync"); // the produce runs' dirty pages written back now, not during this run
        const m = await measured(e.pids, () => consumePerf(e, base, records, group, props));
        rows.get(t)!.consume = m.result;
        rows.get(t)!.consumeCpu = m.cpu;
        rows.get(t)!.consumeCpuMsPerMib = msPerMib(m.cpuSeconds, records * RECORD_SIZE);
        rows.get(t)!.rssMib = rssMib(e.pids);
        console.log(
          `  ${t.name.padEnd(14)} consume  ${fmt(m.result.mbPerSec)} MB/s (${records} records, fetch ${fmt(m.result.fetchMbPerSec)} MB/s)${cpuNote(m.cpu)}`,
        );
      }
    }
    const rows = printTable(targets, rounds);
    console.log(`\nJSON: ${writeJson(rows, backing)}`);
  } finally {
    for (const e of endpoints.values()) await e.stop().catch((err) => console.error(String(err)));
    await admin.deleteTopics({ topics: [...backingTopics] }).catch(() => {});
    await admin.disconnect();
    rmSync(dir, { recursive: true, force: true });
    await privateCluster?.stop();
  }
}

interface Summary {
  produceMbPerSec?: number;
  consumeMbPerSec?: number;
  /** Consumer throughput without the group join (fetch.MB.sec): comparable across record counts. */
  fetchMbPerSec?: number;
  /** The producer perf tool's latency at a fixed rate, whole milliseconds. */
  p50?: number;
  p99?: number;
  /** The probe's round trips (produce + fetch of one record), microseconds. */
  probeP50Us?: number;
  probeP99Us?: number;
  produceCpu?: number;
  consumeCpu?: number;
  produceCpuMsPerMib?: number;
  consumeCpuMsPerMib?: number;
  rssMib?: number;
}

function median(values: (number | undefined)[]): number | undefined {
  const v = values.filter((x): x is number => x !== undefined).sort((a, b) => a - b);
  if (v.length === 0) return undefined;
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid] : (v[mid - 1]! + v[mid]!) / 2;
}

function summarize(rows: Row[]): Summary {
  const roundTrip = (r: Row, q: "p50" | "p99") => r.probe?.both[q];
  return {
    produceMbPerSec: median(rows.map((r) => r.produce?.mbPerSec)),
    consumeMbPerSec: median(rows.map((r) => r.consume?.mbPerSec)),
    fetchMbPerSec: median(rows.map((r) => r.consume?.fetchMbPerSec)),
    p50: median(rows.map((r) => r.latency?.p50)),
    p99: median(rows.map((r) => r.latency?.p99)),
    probeP50Us: median(rows.map((r) => roundTrip(r, "p50"))),
    probeP99Us: median(rows.map((r) => roundTrip(r, "p99"))),
    produceCpu: median(rows.map((r) => r.produceCpu)),
    consumeCpu: median(rows.map((r) => r.consumeCpu)),
    produceCpuMsPerMib: median(rows.map((r) => r.produceCpuMsPerMib)),
    consumeCpuMsPerMib: median(rows.map((r) => r.consumeCpuMsPerMib)),
    rssMib: median(rows.map((r) => r.rssMib)),
  };
}

interface TableRow {
  target: string;
  baseline: string;
  summary: Summary;
  ratios: { produce?: number; consume?: number; fetch?: number };
  /** Latency overhead against the baseline in the same run, microseconds (probe round trips). */
  overheadUs: { p50?: number; p99?: number };
}

function tableRows(targets: Target[], rounds: Map<Target, Row>[]): TableRow[] {
  const sums = new Map(targets.map((t) => [t.name, summarize(rounds.map((r) => r.get(t)!))]));
  const ratio = (v: number | undefined, d: number | undefined) => (v === undefined || !d ? undefined : v / d);
  const diff = (v: number | undefined, d: number | undefined) => (v === undefined || d === undefined ? undefined : v - d);
  return targets.map((t) => {
    const baseline = t.baseline ?? "direct";
    const sum = sums.get(t.name)!;
    const base = sums.get(baseline);
    return {
      target: t.name,
      baseline,
      summary: sum,
      ratios: {
        produce: ratio(sum.produceMbPerSec, base?.produceMbPerSec),
        consume: ratio(sum.consumeMbPerSec, base?.consumeMbPerSec),
        fetch: ratio(sum.fetchMbPerSec, base?.fetchMbPerSec),
      },
      overheadUs: { p50: diff(sum.probeP50Us, base?.probeP50Us), p99: diff(sum.probeP99Us, base?.probeP99Us) },
    };
  });
}

function printTable(targets: Target[], rounds: Map<Target, Row>[]): TableRow[] {
  const rows = tableRows(targets, rounds);
  const x = (n: number | undefined) => (n === undefined ? "-" : n.toFixed(2));
  const int = (n: number | undefined) => (n === undefined ? "-" : String(Math.round(n)));
  const cpu = (s: Summary) => (s.produceCpuMsPerMib === undefined ? "-" : `${x(s.produceCpuMsPerMib)}/${x(s.consumeCpuMsPerMib)}`);
  const header = [
    "target",
    "produce MB/s",
    "x",
    "consume MB/s",
    "x",
    "fetch MB/s",
    "x",
    "p99 ms (perf)",
    "rtt p50 µs",
    "rtt p99 µs",
    "+p50 µs",
    "+p99 µs",
    "CPU ms/MB p/c",
    "RSS MB",
  ];
  const lines = rows.map(({ target, summary: s, ratios, overheadUs }) => [
    target,
    fmt(s.produceMbPerSec),
    x(ratios.produce),
    fmt(s.consumeMbPerSec),
    x(ratios.consume),
    fmt(s.fetchMbPerSec),
    x(ratios.fetch),
    int(s.p99),
    int(s.probeP50Us),
    int(s.probeP99Us),
    int(overheadUs.p50),
    int(overheadUs.p99),
    cpu(s),
    int(s.rssMib),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const show = (cells: string[]) => "| " + cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(" | ") + " |";
  console.log(`\nmedian of ${rounds.length} round(s); MB = MiB as the perf tools count; ${RECORDS} x ${RECORD_SIZE} B per produce run;`);
  console.log(`p99 ms (perf): kafka-producer-perf-test at ${LATENCY_RATE} records/s, steady state, whole ms;`);
  console.log(`rtt: the probe's produce + fetch round trip of one ${RECORD_SIZE} B record at ${PROBE_RATE}/s, µs; +µs: over the baseline;`);
  console.log("CPU ms/MB: the proxy's (kgate's or a relay's) CPU time per MiB produced / consumed (goal <= 1); RSS: its after the consume run;");
  console.log("consume MB/s includes the consumer group join, fetch MB/s does not (every target reads the same number of records);");
  console.log('TLS targets are compared with "direct (TLS)" (the broker\'s SSL listener), the others with "direct"\n');
  console.log(show(header));
  console.log("|" + widths.map((w, i) => (i === 0 ? "-".repeat(w + 2) : "-".repeat(w + 1) + ":")).join("|") + "|");
  for (const l of lines) console.log(show(l));
  return rows;
}

/** The table as JSON under .tmp/bench/, for tooling and the README. */
function writeJson(rows: TableRow[], backing: string): string {
  const dir = join(REPO_ROOT, ".tmp", "bench");
  mkdirSync(dir, { recursive: true });
  const report = {
    time: new Date().toISOString(),
    machine: { cpus: cpus().length, model: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30) },
    settings: {
      records: RECORDS,
      recordSize: RECORD_SIZE,
      rounds: ROUNDS,
      partitions: PARTITIONS,
      latencyRate: LATENCY_RATE,
      probeRate: PROBE_RATE,
      probeCount: PROBE_COUNT,
      backing,
    },
    rows,
  };
  const text = JSON.stringify(report, null, 2) + "\n";
  const file = join(dir, `bench-${report.time.replace(/[:.]/g, "-")}.json`);
  writeFileSync(file, text);
  writeFileSync(join(dir, "latest.json"), text);
  return file;
}

const fmt = (n: number | undefined) => (n === undefined ? "-" : n.toFixed(1));
const pct = (n: number | undefined) => (n === undefined ? "-" : `${Math.round(n * 100)}%`);

const cpuNote = (cpu: number | undefined) => (cpu === undefined ? "" : `, proxy CPU ${pct(cpu)}`);

main().then(
  () => process.exit(0),
  (err) => {
    console.error(`bench failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
