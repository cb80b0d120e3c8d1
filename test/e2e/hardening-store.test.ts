// The shared state is not a key ring (store.type: kafka against the real broker): the state topic
// holds nothing that mints tokens or opens the admin API, records written into it by anyone else
// pass the admin rules or are ignored with a logged reason, two nodes (Bun and Deno) racing
// conflicting writes end with exactly one winner, a node whose clock runs ahead drops no
// revocation, and a generated admin token reaches an interactive terminal only.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { createTokenSigner } from "../../src/auth/tokens.ts";
import { KafkaConnection } from "../../src/client/kafka-connection.ts";
import { runtime } from "../../src/runtime/index.ts";
import { KafkaStore } from "../../src/store/kafka-store.ts";
import { runCommand } from "../support/command.ts";
import { kafkaBootstrap, kafkaCli } from "../support/kafka.ts";
import { adminCall, kgateCommand, type KgateProcess, type KgateRuntime, nextPortBlock, startKgate, waitForLog } from "../support/kgate-process.ts";

const RUN = `${Date.now()}_${Math.random().toString(36).slice(2, 8)}`;
const TOKEN_SECRET = `test-signing-secret-${RUN}-0123456789abcdef`;
const topicFor = (what: string) => `_kgate_state_test_${RUN}_${what}`;
// What an older kgate kept in the topic: whoever read it could call the admin API and mint tokens.
const LEGACY_ADMIN_TOKEN = `legacy-admin-token-${RUN}`;
const LEGACY_SIGNING_KEY = `legacy-signing-key-${RUN}-0123456789abcdef`;
let bootstrap: string;

beforeAll(async () => {
  bootstrap = await kafkaBootstrap();
});
afterAll(async () => {
  await kafkaCli("kafka-topics", ["--bootstrap-server", bootstrap, "--delete", "--topic", `_kgate_state_test_${RUN}_.*`]);
});

interface TopicRecord {
  key: string | null;
  payload: string | null;
}

/** Everything in the state topic, read with kcat (librdkafka), not through kgate. */
async function readTopic(topic: string): Promise<TopicRecord[]> {
  const res = await runCommand("kcat", ["-b", bootstrap, "-C", "-t", topic, "-o", "beginning", "-e", "-J", "-q"], { timeoutMs: 30_000 });
  expect(res.code).toBe(0);
  return res.stdout.split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l) as TopicRecord);
}

/** Writes `key|value` lines into the topic with kcat, as anyone with write access to it could. */
async function writeTopic(topic: string, records: readonly [string, string][]): Promise<void> {
  const input = records.map(([k, v]) => `${k}|${v}\n`).join("");
  const res = await runCommand("kcat", ["-b", bootstrap, "-P", "-t", topic, "-K", "|"], { input, timeoutMs: 30_000 });
  expect(res.code).toBe(0);
}

/** Every string a reader of the topic could try: keys, raw values, and each string inside them. */
function candidateSecrets(records: readonly TopicRecord[]): string[] {
  const out = new Set<string>();
  const walk = (v: unknown): void => {
    if (typeof v === "string") out.add(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === "object") Object.values(v).forEach(walk);
  };
  for (const r of records) {
    for (const text of [r.key, r.payload]) {
      if (!text) continue;
      out.add(text);
      for (const part of text.split("/")) out.add(part);
      try {
        walk(JSON.parse(text));
      } catch {
        // not JSON: the raw text is a candidate already
      }
    }
  }
  return [...out].filter((s) => s.length > 0);
}

async function startNode(kgateRuntime: KgateRuntime, topic: string, config: Record<string, unknown> = {}): Promise<KgateProcess> {
  for (let attempt = 1;; attempt++) {
    try {
      return await startKgate({
        runtime: kgateRuntime,
        backing: bootstrap,
        config: { store: { type: "kafka", topic }, ...config },
        env: { KGATE_TOKEN_SECRET: TOKEN_SECRET },
      });
    } catch (error) {
      if (attempt >= 3 || !/Failed to listen|AddrInUse|EADDRINUSE/i.test(String(error))) throw error;
    }
  }
}

const adminStatus = async (k: KgateProcess, token: string) =>
  (await fetch(`${k.adminUrl}/v1/vclusters`, { headers: { authorization: `Bearer ${token}` } })).status;

async function loginWorks(k: KgateProcess, username: string, password: string): Promise<boolean> {
  try {
    const conn = await KafkaConnection.open(runtime, [{ host: "127.0.0.1", port: k.port }], { sasl: { mechanism: "PLAIN", username, password } });
    conn.close();
    return true;
  } catch {
    return false;
  }
}

for (const kgateRuntime of ["bun", "deno"] as const) {
  describe(`Kafka state topic (${kgateRuntime})`, () => {
    const topic = topicFor(`single_${kgateRuntime}`);
    let kgate: KgateProcess;
    let adminToken: string;

    beforeAll(async () => {
      // The topic as an older kgate left it (created the way kgate creates it), secrets included.
      const creator = new KafkaStore({ runtime, backing: { bootstrapServers: [bootstrap] }, topic });
      await creator.load();
      await creator.close();
      await writeTopic(topic, [
        ["secret/adminToken/old-node", JSON.stringify(LEGACY_ADMIN_TOKEN)],
        ["secret/tokenSecret/old-node", JSON.stringify(LEGACY_SIGNING_KEY)],
      ]);
      // No admin.token configured: kgate generates one, which must not end up in the topic.
      kgate = await startNode(kgateRuntime, topic, { admin: { token: "" } });
      const file = join(kgate.dir, "admin-token");
      // A kgate that printed the token instead (older ones did) still gets tested for what matters.
      adminToken = existsSync(file) ? readFileSync(file, "utf8").trim() : /KGATE_ADMIN_TOKEN=(\S+)/.exec(kgate.logs())?.[1] ?? "";
      kgate.adminToken = adminToken;
    });
    afterAll(async () => {
      expect(await kgate.stop()).toBe(0);
    });

    test("store.type kafka without auth.tokenSecret refuses to start, naming the key", async () => {
      const failed = await startKgate({ runtime: kgateRuntime, backing: bootstrap, config: { store: { type: "kafka", topic } } }).then(
        (k) => k.stop().then(() => ""),
        (error: Error) => error.message,
      );
      expect(failed).toMatch(/auth\.tokenSecret: .*store\.type: kafka/);
    });

    test("secrets an older kgate left in the topic are not used, and are tombstoned", async () => {
      expect(await adminStatus(kgate, LEGACY_ADMIN_TOKEN)).toBe(401);
      await adminCall(kgate, "PUT", "/v1/vclusters/vc-legacy", {});
      const forged = await (await createTokenSigner(LEGACY_SIGNING_KEY)).issue({
        username: "old",
        vcluster: "vc-legacy",
        lifetimeSeconds: 600,
        now: Date.now(),
      });
      expect(await loginWorks(kgate, "old", forged.token)).toBe(false);
      const records = await readTopic(topic);
      const last = (key: string) => records.filter((r) => r.key === key).at(-1);
      // The last record of each key decides what compaction keeps: a tombstone, so the value goes.
      expect(last("secret/adminToken/old-node")?.payload).toBeNull();
      expect(last("secret/tokenSecret/old-node")?.payload).toBeNull();
      expect(kgate.logs()).toMatch(/level=warning [^\n]*older kgate/);
    });

    test("the generated admin token is in a 0600 file and in no log line", () => {
      expect(statSync(join(kgate.dir, "admin-token")).mode & 0o777).toBe(0o600);
      expect(kgate.logs()).toContain(join(kgate.dir, "admin-token"));
      expect(kgate.logs()).not.toContain(adminToken);
    });

    test("nothing in the topic opens the admin API or signs a token kgate accepts", async () => {
      await adminCall(kgate, "PUT", "/v1/vclusters/vc-scan", {});
      const issued = await adminCall<{ token: string }>(kgate, "POST", "/v1/vclusters/vc-scan/tokens", { username: "scan" });
      expect(await loginWorks(kgate, "scan", issued.token)).toBe(true);
      // Control: the method below does mint a working token when it has the real key.
      const real = await (await createTokenSigner(TOKEN_SECRET)).issue({ username: "scan", vcluster: "vc-scan", lifetimeSeconds: 600, now: Date.now() });
      expect(await loginWorks(kgate, "scan", real.token)).toBe(true);

      const records = await readTopic(topic);
      expect(records.length).toBeGreaterThan(0);
      const candidates = candidateSecrets(records);
      const opened = [];
      for (const c of candidates) if ((await adminStatus(kgate, c)) !== 401) opened.push(c);
      expect(opened).toEqual([]);
      // kgate refuses signing keys under 32 characters, so only longer strings could be one.
      const signed = [];
      for (const c of candidates.filter((s) => s.length >= 32)) {
        const forged = await (await createTokenSigner(c)).issue({ username: "scan", vcluster: "vc-scan", lifetimeSeconds: 600, now: Date.now() });
        if (await loginWorks(kgate, "scan", forged.token)) signed.push(c);
      }
      expect(signed).toEqual([]);
      // kgate writes no secret record: the only two are the legacy ones seeded above (tombstoned since).
      expect(records.filter((r) => r.key?.startsWith("secret/") && r.payload !== null)).toHaveLength(2);
    });

    test("records written into the topic directly pass the admin rules or are ignored with a reason", async () => {
      await adminCall(kgate, "PUT", "/v1/vclusters/vc-owner", { prefix: "owner." });
      const createdAt = new Date().toISOString();
      const bad: [string, string][] = [
        ["vcluster/passthrough", JSON.stringify({ name: "passthrough", prefix: "pt.", createdAt })],
        ["vcluster/vc-thief", JSON.stringify({ name: "vc-thief", prefix: "owner.", createdAt })],
        ["vcluster/vc-internal", JSON.stringify({ name: "vc-internal", prefix: "_kgate_", createdAt })],
        ["vcluster/vc-undated", JSON.stringify({ name: "vc-undated", prefix: "undated.", createdAt: "whenever" })],
      ];
      await writeTopic(topic, [...bad, ["vcluster/vc-direct-ok", JSON.stringify({ name: "vc-direct-ok", prefix: "direct-ok.", createdAt })]]);
      // The valid record after the bad ones shows the follower read past them.
      for (let i = 0; i < 100; i++) {
        const names = (await adminCall<{ vclusters: { name: string }[] }>(kgate, "GET", "/v1/vclusters")).vclusters.map((v) => v.name);
        if (names.includes("vc-direct-ok")) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      const listed = (await adminCall<{ vclusters: { name: string }[] }>(kgate, "GET", "/v1/vclusters")).vclusters.map((v) => v.name);
      expect(listed).toContain("vc-direct-ok");
      for (const [key] of bad) expect(listed).not.toContain(key.slice("vcluster/".length));
      const logs = await waitForLog(kgate, "vcluster/vc-undated");
      // One logfmt line each, with the reason (quotes inside msg are escaped).
      for (const [key] of bad) expect(logs).toMatch(new RegExp(`level=warning [^\\n]*state record \\\\"${key}\\\\": [^\\n]+; skipped`));
    });
  });
}

// Node A runs under Bun and node B under Deno; the test fires each pair of writes at the same moment.
describe("two kgate nodes racing conflicting writes", () => {
  const topic = topicFor("race");
  let nodeA: KgateProcess;
  let nodeB: KgateProcess;

  beforeAll(async () => {
    [nodeA, nodeB] = await Promise.all([startNode("bun", topic), startNode("deno", topic)]);
  });
  afterAll(async () => {
    expect(await Promise.all([nodeA?.stop(), nodeB?.stop()])).toEqual([0, 0]);
  });

  const put = async (k: KgateProcess, name: string, prefix: string) =>
    (await fetch(`${k.adminUrl}/v1/vclusters/${name}`, {
      method: "PUT",
      headers: { authorization: `Bearer ${k.adminToken}`, "content-type": "application/json" },
      body: JSON.stringify({ prefix }),
    })).status;
  const names = async (k: KgateProcess) =>
    (await adminCall<{ vclusters: { name: string; prefix: string }[] }>(k, "GET", "/v1/vclusters")).vclusters
      .filter((v) => v.name.startsWith("race"))
      .map((v) => `${v.name}=${v.prefix}`)
      .sort();

  test("overlapping prefixes created at once on two nodes: exactly one wins, both nodes agree", async () => {
    const outcomes: number[][] = [];
    for (let i = 0; i < 6; i++) {
      outcomes.push(await Promise.all([put(nodeA, `race${i}-a`, `race${i}.`), put(nodeB, `race${i}-b`, `race${i}.b.`)]));
    }
    // How many of the losers passed their own node's check and lost only in the log (the race
    // the old code let both win): each node logs the records it refused.
    const refusedInLog = (k: KgateProcess) => k.logs().split("\n").filter((l) => /state record .*race\d-[ab].*skipped/.test(l)).length;
    console.log(`race outcomes (A, B): ${JSON.stringify(outcomes)}`);
    for (const pair of outcomes) expect(pair.filter((s) => s === 201 || s === 200).length).toBe(1);
    for (const pair of outcomes) expect(pair.filter((s) => s === 409).length).toBe(1);
    let a: string[] = [];
    let b: string[] = [];
    for (let i = 0; i < 60; i++) {
      [a, b] = await Promise.all([names(nodeA), names(nodeB)]);
      if (a.length === 6 && JSON.stringify(a) === JSON.stringify(b)) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(a).toHaveLength(6);
    expect(b).toEqual(a);
    console.log(`losers refused in the log (not by their node's own check), as logged by A: ${refusedInLog(nodeA)}, by B: ${refusedInLog(nodeB)}`);
    // The same vcluster PUT on both nodes at once: what both asked for exists, one created it.
    const putWithRecord = async (k: KgateProcess) => {
      const res = await fetch(`${k.adminUrl}/v1/vclusters/race-same`, {
        method: "PUT",
        headers: { authorization: `Bearer ${k.adminToken}`, "content-type": "application/json" },
        body: JSON.stringify({ prefix: "race-same." }),
      });
      return { status: res.status, createdAt: ((await res.json()) as { createdAt?: string }).createdAt };
    };
    const same = await Promise.all([putWithRecord(nodeA), putWithRecord(nodeB)]);
    console.log(`same-vcluster outcomes (A, B): ${JSON.stringify(same)}`);
    const statuses = same.map((r) => r.status).sort();
    // Two creates in the same millisecond write the same record byte for byte: both are "the"
    // create. Otherwise exactly one created it and the other found it there.
    if (statuses[0] === 201) expect(same[0]!.createdAt).toBe(same[1]!.createdAt!);
    else expect(statuses).toEqual([200, 201]);
    expect(same[0]!.createdAt).toBe(same[1]!.createdAt!); // both nodes report the one record that exists
    a.push("race-same=race-same.");
    a.sort();
    for (let i = 0; i < 60 && JSON.stringify(await names(nodeB)) !== JSON.stringify(a); i++) await new Promise((r) => setTimeout(r, 50));
    expect(await names(nodeA)).toEqual(a);
    expect(await names(nodeB)).toEqual(a);
    // A node started afterwards replays the topic to the same state.
    const late = await startNode("bun", topic);
    try {
      expect(await names(late)).toEqual(a);
    } finally {
      await late.stop();
    }
  });
});

// Two store nodes on one real state topic, one with its clock two hours ahead.
describe("revocations and clock skew on a shared topic", () => {
  const stores: KafkaStore[] = [];
  afterAll(async () => {
    await Promise.all(stores.map((s) => s.close()));
  });
  const open = async (topic: string, clock: () => number) => {
    const store = new KafkaStore({ runtime, backing: { bootstrapServers: [bootstrap] }, topic, clock });
    stores.push(store);
    await store.load();
    return store;
  };

  test("a node whose clock runs ahead does not drop a revocation the others still need", async () => {
    const topic = topicFor("skew");
    const onTime = await open(topic, () => Date.now());
    const ahead = await open(topic, () => Date.now() + 2 * 3600_000);
    const now = Math.floor(Date.now() / 1000);
    await onTime.putVcluster({ name: "vc-skew" });
    await onTime.recordIssuedToken({ jti: "skewed-jti", vcluster: "vc-skew", username: "u", issuedAt: now, expiresAt: now + 3600 });
    await onTime.revokeToken("vc-skew", "skewed-jti");
    for (let i = 0; i < 100 && !ahead.isTokenRevoked("skewed-jti"); i++) await new Promise((r) => setTimeout(r, 20));
    expect(ahead.isTokenRevoked("skewed-jti")).toBe(true);
    // Any write by the fast node prunes what it believes expired, and every node applies that.
    await ahead.putVcluster({ name: "vc-skew-2" });
    for (let i = 0; i < 100 && !onTime.getVcluster("vc-skew-2"); i++) await new Promise((r) => setTimeout(r, 20));
    expect(onTime.getVcluster("vc-skew-2")?.name).toBe("vc-skew-2");
    expect(onTime.isTokenRevoked("skewed-jti")).toBe(true);
    // And a node replaying the topic from scratch agrees.
    expect((await open(topic, () => Date.now())).isTokenRevoked("skewed-jti")).toBe(true);
  });
});

// The one place a generated admin token may appear: an interactive terminal, once. `script`
// (util-linux) gives kgate a pseudo-terminal as stdout, as an operator's shell would.
interface TerminalKgate {
  dir: string;
  output(): string;
  stop(): Promise<unknown>;
}

/** kgate with a fresh file store, its stdout and stderr on a pseudo-terminal; resolves once ready. */
async function startOnTerminal(kgateRuntime: KgateRuntime): Promise<TerminalKgate> {
  for (let attempt = 1;; attempt++) {
    const dir = mkdtempSync(join(tmpdir(), "kgate-tty-"));
    const port = nextPortBlock();
    const configPath = join(dir, "kgate.yaml");
    writeFileSync(
      configPath,
      stringify({
        listener: { host: "127.0.0.1", port },
        backing: { bootstrapServers: [bootstrap] },
        admin: { host: "127.0.0.1", port: port + 40 },
        store: { type: "file", path: join(dir, "data", "store.json") },
      }),
    );
    // exec: kgate becomes the terminal's session leader, so closing the terminal (SIGHUP) ends it.
    const command = ["exec", ...kgateCommand(kgateRuntime), "serve", "--config", configPath].join(" ");
    const child = spawn("script", ["-qfec", command, "/dev/null"], { cwd: dir, stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    child.stdout!.on("data", (d) => (out += d));
    const exited = new Promise((resolve) => child.on("exit", resolve));
    const stop = () => (child.kill("SIGTERM"), exited);
    for (const end = Date.now() + 30_000; !out.includes("kgate ready") && child.exitCode === null && Date.now() < end;) {
      await new Promise((r) => setTimeout(r, 50));
    }
    if (out.includes("kgate ready")) return { dir, output: () => out, stop };
    await stop();
    // Other suites take port blocks too; a port taken meanwhile is not what this test is about.
    if (attempt >= 3 || !/Failed to listen|AddrInUse/i.test(out)) throw new Error(`kgate on a terminal did not start:\n${out}`);
  }
}

for (const kgateRuntime of ["bun", "deno"] as const) {
  describe(`generated admin token on a terminal (${kgateRuntime})`, () => {
    test("is shown once on the terminal, and is the one in the key file", async () => {
      const k = await startOnTerminal(kgateRuntime);
      try {
        const out = k.output();
        const token = readFileSync(join(k.dir, "data", "admin-token"), "utf8").trim();
        expect(out.split(`export KGATE_ADMIN_TOKEN=${token}`)).toHaveLength(2);
        // The log lines (on the same terminal here) say where it is, not what it is.
        expect(out.split("\n").filter((l) => l.includes("level=") && l.includes(token))).toEqual([]);
      } finally {
        await k.stop();
      }
    });
  });
}
