// `npm start`, the first run: the demo comes up, its printed commands work as printed, and Ctrl-C
// stops what it started. Ports, the demo directory and the vclusters' backing prefix are moved out
// of the way (KGATE_PORT, KGATE_ADMIN_PORT, KGATE_DEMO_DIR, KGATE_DEMO_PREFIX) so that the test can
// run beside a developer's own demo and on a broker other runs have used.
import { beforeAll, describe, expect, test } from "bun:test";
import { type ChildProcess, spawn } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCommand } from "../support/command.ts";
import { kafkaBootstrap, LOCAL_BOOTSTRAP, REPO_ROOT } from "../support/kafka.ts";
import { nextPortBlock } from "../support/kgate-process.ts";

let backing = "";
beforeAll(async () => {
  backing = await kafkaBootstrap();
}, 600_000);

interface Demo {
  child: ChildProcess;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  port: number;
  adminPort: number;
}

/** Starts the demo in its own process group, as a terminal would run it. */
function startDemo(cmd: string[], env: Record<string, string | undefined>): Demo {
  const port = nextPortBlock();
  const adminPort = port + 40;
  const childEnv: Record<string, string> = {};
  for (
    const [k, v] of Object.entries({
      ...process.env,
      KGATE_PORT: String(port),
      KGATE_ADMIN_PORT: String(adminPort),
      KGATE_DEMO_DIR: mkdtempSync(join(tmpdir(), "kgate-demo-")),
      ...env,
    })
  ) if (v !== undefined) childEnv[k] = v;
  const child = spawn(cmd[0]!, cmd.slice(1), { cwd: REPO_ROOT, env: childEnv, stdio: ["ignore", "pipe", "pipe"], detached: true });
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal }))
  );
  return { child, output: () => out, exited, port, adminPort };
}

async function waitFor(demo: Demo, text: string, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!demo.output().includes(text)) {
    if (demo.child.exitCode !== null) throw new Error(`npm start exited ${demo.child.exitCode}:\n${demo.output()}`);
    if (Date.now() > deadline) {
      process.kill(-demo.child.pid!, "SIGKILL");
      throw new Error(`npm start did not print "${text}":\n${demo.output()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Ctrl-C: SIGINT to the whole foreground process group. */
async function ctrlC(demo: Demo): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  process.kill(-demo.child.pid!, "SIGINT");
  const timer = setTimeout(() => process.kill(-demo.child.pid!, "SIGKILL"), 30_000);
  const result = await demo.exited;
  clearTimeout(timer);
  return result;
}

function kgatePid(demo: Demo): number {
  const pid = Number(/kgate \(pid (\d+)\)/.exec(demo.output())?.[1]);
  expect(pid).toBeGreaterThan(0);
  return pid;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

async function expectKgateGone(demo: Demo, pid: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  expect(alive(pid)).toBe(false);
  expect(await listening(demo.port)).toBe(false);
  expect(await listening(demo.adminPort)).toBe(false);
}

/** A stand-in for scripts/kafka.sh that records what it was asked; the broker is the test's own. */
function fakeKafkaSh(statusExit: number): { script: string; calls(): string[] } {
  const dir = mkdtempSync(join(tmpdir(), "kgate-fake-kafka-"));
  const script = join(dir, "kafka.sh");
  const log = join(dir, "calls.log");
  writeFileSync(
    script,
    `#!/usr/bin/env bash\necho "$1" >> '${log}'\ncase "$1" in status) exit ${statusExit} ;; start) echo "kafka.sh: ready" >&2 ;; esac\nexit 0\n`,
  );
  chmodSync(script, 0o755);
  writeFileSync(log, "");
  return { script, calls: () => readFileSync(log, "utf8").split("\n").filter(Boolean) };
}

describe("npm start", () => {
  test("brings up the demo; the printed alice/bob commands work as printed; Ctrl-C stops kgate", async () => {
    const prefix = `npmstart-${Date.now().toString(36)}-`;
    const demo = startDemo(["npm", "start"], { KAFKA_BOOTSTRAP: backing, KGATE_DEMO_PREFIX: prefix });
    await waitFor(demo, "Ctrl-C stops");
    const pid = kgatePid(demo);

    // The four scenario commands, exactly as printed, run from the repository root.
    const commands = demo
      .output()
      .split("\n")
      .map((line) => /^\s+(scripts\/kafka\.sh cli kafka-topics .*)$/.exec(line)?.[1])
      .filter((c): c is string => !!c);
    expect(commands).toHaveLength(4);
    const [create, aliceList, bobList, directList] = commands as [string, string, string, string];
    expect(create).toContain("--command-config");
    expect(create).toContain("vc-alice.properties --create --topic orders");
    expect(bobList).toContain("vc-bob.properties --list");
    expect(directList).toContain(`--bootstrap-server ${backing.split(",")[0]} --list`);
    const sh = (command: string) => runCommand("bash", ["-c", `cd '${REPO_ROOT}' && ${command}`], { timeoutMs: 120_000 });

    const created = await sh(create);
    if (created.code !== 0) throw new Error(`${create}\nexit ${created.code}\n${created.stderr}${created.stdout}`);
    expect(created.stdout).toContain("Created topic orders");
    const alice = await sh(aliceList);
    expect(alice.code).toBe(0);
    expect(alice.stdout.split("\n").filter(Boolean)).toEqual(["orders"]);
    const bob = await sh(bobList);
    expect(bob.code).toBe(0);
    expect(bob.stdout.trim()).toBe("");
    const direct = await sh(directList);
    expect(direct.code).toBe(0);
    expect(direct.stdout.split("\n")).toContain(`${prefix}vc-alice.orders`);

    const { code, signal } = await ctrlC(demo);
    expect(demo.output()).toContain("start: stopped");
    // npm re-raises the SIGINT its script ended on (so a shell sees an interrupted command);
    // the script itself shut down cleanly, as printed.
    expect(code === 0 || signal === "SIGINT").toBe(true);
    await expectKgateGone(demo, pid);
    // KAFKA_BOOTSTRAP was given: npm start never touched the broker.
    expect(demo.output()).not.toContain("stopping the local Kafka");
  }, 240_000);

  describe("the local Kafka (scripts/kafka.sh, stood in for)", () => {
    const cmd = [process.execPath, join(REPO_ROOT, "scripts", "start.ts")];
    // The stand-in starts nothing: the test's broker must be where scripts/kafka.sh puts one.
    const localBroker = () => backing === LOCAL_BOOTSTRAP;

    test("not running: started, and stopped again on SIGTERM", async () => {
      if (!localBroker()) return console.warn(`npm-start.test.ts: broker at ${backing}, not ${LOCAL_BOOTSTRAP}; skipped`);
      const fake = fakeKafkaSh(1);
      const demo = startDemo(cmd, { KAFKA_BOOTSTRAP: undefined, KGATE_KAFKA_SH: fake.script, KGATE_DEMO_PREFIX: "npmstart-fake-" });
      await waitFor(demo, "Ctrl-C stops kgate and the Kafka started here");
      const pid = kgatePid(demo);
      expect(fake.calls()).toEqual(["status", "start"]);
      process.kill(demo.child.pid!, "SIGTERM"); // a supervisor's stop, to this process only
      expect((await demo.exited).code).toBe(0);
      await expectKgateGone(demo, pid);
      expect(fake.calls()).toEqual(["status", "start", "stop"]);
    }, 120_000);

    test("--tls: TLS on both sides; the printed commands work as printed over SASL_SSL", async () => {
      if (!localBroker()) return console.warn(`npm-start.test.ts: broker at ${backing}, not ${LOCAL_BOOTSTRAP}; skipped`);
      const fake = fakeKafkaSh(0);
      const prefix = `npmstart-tls-${Date.now().toString(36)}-`;
      const demo = startDemo([...cmd, "--tls"], { KAFKA_BOOTSTRAP: undefined, KGATE_KAFKA_SH: fake.script, KGATE_DEMO_PREFIX: prefix });
      await waitFor(demo, "Ctrl-C stops kgate.");
      expect(demo.output()).toContain("(TLS) in front of 127.0.0.1:9092 (over TLS on 127.0.0.1:9093)");
      const commands = demo.output().split("\n").map((line) => /^\s+(scripts\/kafka\.sh cli kafka-topics .*)$/.exec(line)?.[1]).filter((c): c is string => !!c);
      const [create, aliceList] = commands as [string, string];
      const sh = (command: string) => runCommand("bash", ["-c", `cd '${REPO_ROOT}' && ${command}`], { timeoutMs: 120_000 });
      const created = await sh(create);
      if (created.code !== 0) throw new Error(`${create}\nexit ${created.code}\n${created.stderr}${created.stdout}`);
      const alice = await sh(aliceList);
      expect(alice.stdout.split("\n").filter(Boolean)).toEqual(["orders"]);
      const props = readFileSync(
        join(/--command-config (\S+)/.exec(create)![1]!.startsWith("/") ? "" : REPO_ROOT, /--command-config (\S+)/.exec(create)![1]!),
        "utf8",
      );
      expect(props).toContain("security.protocol=SASL_SSL");
      const pid = kgatePid(demo);
      expect((await ctrlC(demo)).code).toBe(0);
      await expectKgateGone(demo, pid);
    }, 180_000);

    test("already running: used, and left running on Ctrl-C", async () => {
      if (!localBroker()) return console.warn(`npm-start.test.ts: broker at ${backing}, not ${LOCAL_BOOTSTRAP}; skipped`);
      const fake = fakeKafkaSh(0);
      const demo = startDemo(cmd, { KAFKA_BOOTSTRAP: undefined, KGATE_KAFKA_SH: fake.script, KGATE_DEMO_PREFIX: "npmstart-fake-" });
      await waitFor(demo, "Ctrl-C stops kgate.");
      const pid = kgatePid(demo);
      expect((await ctrlC(demo)).code).toBe(0);
      await expectKgateGone(demo, pid);
      expect(fake.calls()).toEqual(["status"]);
    }, 120_000);
  });
});
