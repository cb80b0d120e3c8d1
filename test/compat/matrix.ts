// The client matrix: every client runs the scenario inside a fresh vcluster of kgate under each
// runtime; afterwards the backing cluster must hold the scenario's topics and group under the
// vcluster's prefix. Also the capture pass: every client against a recording relay in front of
// the broker, for the byte-exact check.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Kafka, logLevel } from "kafkajs";
import { kafkaCli } from "../support/kafka.ts";
import { RecordingRelay } from "../support/recording-relay.ts";
import { adminCall, binaryAvailable, type KgateProcess, type KgateRuntime, startKgate } from "../support/kgate-process.ts";
import { type BackingView, type CompatClient, type CompatTarget, oneLine, scenarioNames, type StepResult } from "./types.ts";

export type CellResult = { unavailable: string } | { steps: StepResult[]; seconds: number };
export type Matrix = Map<string, Map<KgateRuntime, CellResult>>;

export interface MatrixOptions {
  backing: string;
  clients: CompatClient[];
  runtimes: KgateRuntime[];
  records?: number;
  log?: (line: string) => void;
}

const RUN = Date.now().toString(36);

function slug(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "").slice(0, 24).replace(/-$/, "");
}

function backingKafka(backing: string): Kafka {
  return new Kafka({ clientId: "compat-backing-check", brokers: [backing], logLevel: logLevel.NOTHING });
}

/** What the backing cluster holds under a prefix (topics, groups), through a direct connection. */
export function backingView(backing: string, prefix: string): BackingView {
  const kafka = backingKafka(backing);
  const withAdmin = async <T>(f: (a: ReturnType<Kafka["admin"]>) => Promise<T>): Promise<T> => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      return await f(admin);
    } finally {
      await admin.disconnect();
    }
  };
  return {
    prefix,
    topics: () => withAdmin(async (a) => (await a.listTopics()).filter((t) => t.startsWith(prefix))),
    groups: () => withAdmin(async (a) => (await a.listGroups()).groups.map((g) => g.groupId).filter((g) => g.startsWith(prefix))),
    async transactionalIds() {
      const res = await kafkaCli("kafka-transactions", ["--bootstrap-server", backing, "list"]);
      if (res.code !== 0) throw new Error(`kafka-transactions list: ${res.stderr.trim().split("\n").pop()}`);
      return res.stdout.split("\n").map((l) => l.split(/\s+/)[0]!).filter((id) => id.startsWith(prefix));
    },
  };
}

/** After a standard scenario: its topics and its group exist on the backing cluster, prefixed. */
async function checkBackingPrefixed(view: BackingView, t: CompatTarget, transacted: boolean): Promise<StepResult> {
  const n = scenarioNames(t);
  try {
    const [topics, groups] = await Promise.all([view.topics(), view.groups()]);
    const missing = [`${view.prefix}${n.topic}`, `${view.prefix}${n.txTopic}`].filter((x) => !topics.includes(x));
    if (!groups.includes(`${view.prefix}${n.group}`)) missing.push(`group ${view.prefix}${n.group}`);
    // Where the client ran transactions, its transactional id is the tenant's too.
    const txIds = transacted ? await view.transactionalIds() : [];
    if (transacted && !txIds.includes(`${view.prefix}${n.transactionalId}`)) missing.push(`transactional id ${view.prefix}${n.transactionalId}`);
    if (missing.length) return { step: "backing-prefixed", status: "fail", detail: `missing on the backing cluster: ${missing.join(", ")}` };
    const tx = transacted ? `, transactional id ${n.transactionalId}` : "";
    return {
      step: "backing-prefixed",
      status: "ok",
      detail: `backing cluster: ${topics.length} topics, ${groups.length} groups${tx}, all under ${view.prefix}`,
    };
  } catch (err) {
    return { step: "backing-prefixed", status: "fail", detail: oneLine(String(err)) };
  }
}

/** A neighbour tenant with a topic of its own, so that "lists only its own" means something. */
async function neighbour(k: KgateProcess, runtime: KgateRuntime): Promise<void> {
  const vc = `compat-neighbour-${runtime}-${RUN}`;
  await adminCall(k, "PUT", `/v1/vclusters/${vc}`, {});
  const { token } = await adminCall<{ token: string }>(k, "POST", `/v1/vclusters/${vc}/tokens`, { username: "neighbour" });
  const admin = new Kafka({ brokers: [k.bootstrap], sasl: { mechanism: "plain", username: "neighbour", password: token }, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: "orders-of-the-neighbour", numPartitions: 1 }, { topic: "payments", numPartitions: 1 }] });
  await admin.disconnect();
}

async function runOne(k: KgateProcess, client: CompatClient, runtime: KgateRuntime, o: MatrixOptions): Promise<CellResult> {
  const vc = `compat-${slug(client.name)}-${runtime}-${RUN}`.slice(0, 63).replace(/-$/, "");
  await adminCall(k, "PUT", `/v1/vclusters/${vc}`, {});
  const { token } = await adminCall<{ token: string }>(k, "POST", `/v1/vclusters/${vc}/tokens`, { username: "compat" });
  const backing = backingView(o.backing, `${vc}.`);
  const target: CompatTarget = {
    bootstrap: k.bootstrap,
    sasl: { username: "compat", password: token },
    suffix: "",
    exactList: true,
    records: o.records ?? 1000,
    workDir: mkdtempSync(join(tmpdir(), "kgate-compat-")),
    backing,
  };
  const started = Date.now();
  let steps: StepResult[];
  try {
    steps = await client.run(target);
  } catch (err) {
    steps = [{ step: "run", status: "fail", detail: oneLine(String(err)) }];
  }
  if (client.standardNames && !steps.some((s) => s.status === "fail")) {
    const transacted = steps.some((s) => s.step.startsWith("transactions") && s.status === "ok");
    steps.push(await checkBackingPrefixed(backing, target, transacted));
  }
  return { steps, seconds: (Date.now() - started) / 1000 };
}

export async function runMatrix(o: MatrixOptions): Promise<Matrix> {
  const log = o.log ?? (() => {});
  const matrix: Matrix = new Map(o.clients.map((c) => [c.name, new Map()]));
  const unavailable = new Map<string, string | null>();
  for (const c of o.clients) unavailable.set(c.name, await c.unavailable());
  for (const runtime of o.runtimes) {
    if (runtime === "binary" && !binaryAvailable()) {
      for (const c of o.clients) matrix.get(c.name)!.set(runtime, { unavailable: "no dist/kgate (npm run compile)" });
      log(`binary: skipped, no dist/kgate (npm run compile)`);
      continue;
    }
    const k = await startKgate({ runtime, backing: o.backing });
    try {
      await neighbour(k, runtime);
      for (const c of o.clients) {
        const why = unavailable.get(c.name);
        if (why) {
          matrix.get(c.name)!.set(runtime, { unavailable: why });
          continue;
        }
        log(`${runtime}: ${c.name} ...`);
        const cell = await runOne(k, c, runtime, o);
        matrix.get(c.name)!.set(runtime, cell);
        log(`${runtime}: ${c.name}: ${cellText(cell)} (${"seconds" in cell ? cell.seconds.toFixed(0) : "?"} s)`);
      }
    } finally {
      const code = await k.stop();
      if (code !== 0) log(`kgate (${runtime}) exited ${code}; last log lines:\n${k.logs().split("\n").slice(-10).join("\n")}`);
    }
  }
  return matrix;
}

/** The capture pass: each client against the relay, logged in to the broker's SASL listener. */
export async function runCapture(
  o: { saslBackingHost: string; saslBackingPort: number; clients: CompatClient[]; records?: number; log?: (l: string) => void },
) {
  const relay = new RecordingRelay(o.saslBackingHost, o.saslBackingPort);
  await relay.start();
  const results = new Map<string, StepResult[] | string>();
  try {
    for (const c of o.clients) {
      const why = await c.unavailable();
      if (why) {
        results.set(c.name, why);
        continue;
      }
      o.log?.(`capture: ${c.name} ...`);
      const target: CompatTarget = {
        bootstrap: `127.0.0.1:${relay.port}`,
        sasl: { username: "admin", password: "admin-secret" },
        suffix: `-cap-${slug(c.name)}-${RUN}`,
        exactList: false,
        records: o.records ?? 200,
        workDir: mkdtempSync(join(tmpdir(), "kgate-compat-")),
      };
      const steps = await c.run(target).catch((err) => [{ step: "run", status: "fail" as const, detail: oneLine(String(err)) }]);
      results.set(c.name, steps);
      o.log?.(`capture: ${c.name}: ${firstFailure(steps) ?? "✓"}`);
    }
  } finally {
    await relay.stop();
  }
  return { exchanges: relay.exchanges, results };
}

export function firstFailure(steps: StepResult[]): string | undefined {
  const f = steps.find((s) => s.status === "fail");
  return f && `${f.step}: ${f.detail}`;
}

export function cellText(cell: CellResult | undefined): string {
  if (!cell) return "";
  if ("unavailable" in cell) return `— (${cell.unavailable})`;
  return firstFailure(cell.steps) ? `✗ ${firstFailure(cell.steps)}` : "✓";
}

/** Markdown: the matrix (client × runtime), then each client's steps with its n/a reasons. */
export async function matrixMarkdown(m: Matrix, clients: CompatClient[], runtimes: KgateRuntime[], measured: string, command: string): Promise<string> {
  const esc = (s: string) => s.replace(/\|/g, "\\|");
  const lines = [`Measured ${measured} with \`${command}\` (Kafka 4.4 broker; kgate under ${runtimes.join(", ")}).`, ""];
  const versions = (await Promise.all(clients.map(async (c) => (c.version ? `${c.name}: ${await c.version().catch(() => "?")}` : "")))).filter(Boolean);
  if (versions.length) lines.push(`Versions: ${versions.join("; ")}.`, "");
  lines.push(`| client | ${runtimes.join(" | ")} |`, `|---|${runtimes.map(() => "---").join("|")}|`);
  for (const [client, cells] of m) lines.push(`| ${esc(client)} | ${runtimes.map((r) => esc(cellText(cells.get(r)))).join(" | ")} |`);
  lines.push("", "What each client did (first runtime; ✓ done and checked, n/a: the client cannot, with the reason):", "");
  for (const [client, cells] of m) {
    const any = [...cells.values()].find((c): c is { steps: StepResult[]; seconds: number } => "steps" in c);
    if (!any) continue;
    const mark = (s: StepResult) => (s.status === "ok" ? `✓ ${s.step}` : s.status === "na" ? `n/a ${s.step} (${s.detail})` : `✗ ${s.step} (${s.detail})`);
    lines.push(`- **${esc(client)}**: ${any.steps.map(mark).join("; ")}`);
  }
  return `${lines.join("\n")}\n`;
}

/** Plain text for the terminal: the same matrix, then every step of every client. */
export function matrixText(m: Matrix, runtimes: KgateRuntime[]): string {
  const rows = [["client", ...runtimes], ...[...m].map(([client, cells]) => [client, ...runtimes.map((r) => cellText(cells.get(r)))])];
  const width = rows[0]!.map((_, i) => Math.max(...rows.map((r) => Math.min(r[i]!.length, i === 0 ? 40 : 60))));
  const fmt = (r: string[]) => r.map((c, i) => (c.length > width[i]! ? `${c.slice(0, width[i]! - 1)}…` : c.padEnd(width[i]!))).join("  ");
  const out = [fmt(rows[0]!), ...rows.slice(1).map(fmt), ""];
  for (const [client, cells] of m) {
    for (const [runtime, cell] of cells) {
      if (!("steps" in cell)) continue;
      out.push(`${client} (${runtime}, ${cell.seconds.toFixed(0)} s):`);
      for (const s of cell.steps) out.push(`  ${s.status === "ok" ? "✓" : s.status === "na" ? "n/a" : "✗"} ${s.step}${s.detail ? `: ${s.detail}` : ""}`);
    }
  }
  return out.join("\n");
}
