// The single binary (dist/kgate from `npm run compile`): version and help, a first start with no
// config at all, and the virtual-cluster story with the Java command-line tools against it.
// Skipped, with a note, when dist/kgate has not been built.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pkg from "../../package.json" with { type: "json" };
import { runCommand } from "../support/command.ts";
import { kafkaBootstrap, kafkaCli, LOCAL_BOOTSTRAP, REPO_ROOT } from "../support/kafka.ts";
import { binaryAvailable, type KgateProcess, startKgate } from "../support/kgate-process.ts";
import { createTenant, type TenantLogin } from "../support/vcluster-fixture.ts";

const BINARY = join(REPO_ROOT, "dist", "kgate");
const built = binaryAvailable();
if (!built) console.warn("binary.test.ts: dist/kgate is missing, single-binary tests skipped (run `npm run compile` first)");

/** The embedded defaults bind these; another kgate on them would make the no-config test meaningless. */
function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", () => resolve(true));
  });
}
const defaultPortsFree = built && (await portFree(6969)) && (await portFree(8888));
if (built && !defaultPortsFree) {
  console.warn("binary.test.ts: 127.0.0.1:6969 or :8888 is taken, the no-config `serve` test is skipped");
}

/** Environment without anything that would stand in for the embedded defaults. */
function cleanEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith("KGATE_")) env[k] = v;
  return env;
}

/** `dist/kgate serve` with no arguments but `serve`, until "kgate ready". */
async function serveNoConfig(dir: string): Promise<{ child: ChildProcess; output: () => string; stop: () => Promise<number | null> }> {
  const child = spawn(BINARY, ["serve"], { cwd: dir, env: cleanEnv(), stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const deadline = Date.now() + 15_000;
  while (!out.includes("kgate ready")) {
    if (child.exitCode !== null) throw new Error(`dist/kgate serve exited ${child.exitCode}:\n${out}`);
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`dist/kgate serve not ready:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  return {
    child,
    output: () => out,
    stop: async () => {
      if (child.exitCode === null) child.kill("SIGINT");
      return exited;
    },
  };
}

describe.skipIf(!built)("single binary (dist/kgate)", () => {
  test("version prints the package version and the embedded commit", () => {
    const res = spawnSync(BINARY, ["version"], { encoding: "utf8" });
    expect(res.status).toBe(0);
    const m = /^kgate (\S+) \(([^)]+)\) bun$/.exec(res.stdout.trim());
    expect(m).not.toBeNull();
    expect(m![1]).toBe(pkg.version);
    expect(m![2]).not.toBe("dev"); // the build's --define reached src/version.ts
  });

  test("--help lists the commands", () => {
    const res = spawnSync(BINARY, ["--help"], { encoding: "utf8" });
    expect(res.status).toBe(0);
    for (const word of ["serve", "version", "vcluster", "token"]) expect(res.stdout).toContain(word);
  });

  test.skipIf(!defaultPortsFree)(
    "serve with no config: embedded defaults, admin token generated into a 0600 file, next steps work",
    async () => {
      const dir = mkdtempSync(join(tmpdir(), "kgate-binary-"));
      const first = await serveNoConfig(dir);
      try {
        const out = first.output();
        expect(out).toContain("kgate ready: Kafka on 127.0.0.1:6969, admin API on 127.0.0.1:8888");
        // stdout is a pipe here, not a terminal: the token is in its file only, never printed.
        const tokenFile = join(dir, "kgate-data", "admin-token");
        expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
        const token = readFileSync(tokenFile, "utf8").trim();
        expect(token).toMatch(/^[A-Za-z0-9_-]{20,}$/);
        expect(out).not.toContain(token);
        const res = await fetch("http://127.0.0.1:8888/v1/vclusters", { headers: { authorization: `Bearer ${token}` } });
        expect(res.status).toBe(200);

        if ((await kafkaBootstrap()) === LOCAL_BOOTSTRAP) {
          // No vcluster yet: a transparent proxy in front of the embedded default backing cluster.
          const meta = await runCommand("kcat", ["-b", "127.0.0.1:6969", "-L", "-m", "10"], { timeoutMs: 30_000 });
          expect(meta.stdout).toContain("broker 0 at 127.0.0.1:6970");
        }

        // The printed next steps, in the same directory, as printed (the CLI finds the token in the store).
        const steps = /Next: (kgate .+)\n\s+(kgate .+)/.exec(out);
        expect(steps).not.toBeNull();
        for (const step of [steps![1]!, steps![2]!]) {
          const [, ...args] = step.trim().split(/\s+/);
          const ran = spawnSync(BINARY, args, { cwd: dir, env: cleanEnv(), encoding: "utf8" });
          if (ran.status !== 0) throw new Error(`${step}: exit ${ran.status}\n${ran.stderr}${ran.stdout}`);
        }
        const props = readFileSync(join(dir, "vc-alice.properties"), "utf8");
        expect(props).toContain("bootstrap.servers=127.0.0.1:6969");
        expect(props).toContain('username="alice"');
      } finally {
        expect(await first.stop()).toBe(0);
      }

      // Second start on the same store: same token, not printed again.
      const second = await serveNoConfig(dir);
      try {
        expect(second.output()).not.toContain("KGATE_ADMIN_TOKEN");
      } finally {
        expect(await second.stop()).toBe(0);
      }
    },
    60_000,
  );

  describe("alice and bob with the Kafka command-line tools", () => {
    let kgate: KgateProcess;
    let backing: string;
    let alice: TenantLogin;
    let bob: TenantLogin;
    const run = Date.now().toString(36);
    const va = `vc-alice-bin-${run}`;
    const vb = `vc-bob-bin-${run}`;

    beforeAll(async () => {
      backing = await kafkaBootstrap();
      kgate = await startKgate({ runtime: "binary", backing });
      alice = await createTenant(kgate, va, "alice", "binary");
      bob = await createTenant(kgate, vb, "bob", "binary");
    }, 600_000);
    afterAll(async () => {
      if (kgate) expect(await kgate.stop()).toBe(0);
    });

    const topics = (login: TenantLogin, ...args: string[]) =>
      kafkaCli("kafka-topics", ["--bootstrap-server", kgate.bootstrap, "--command-config", login.propertiesFile, ...args]);

    test("alice creates orders and lists it, bob lists nothing, the backing cluster holds the prefixed name", async () => {
      const created = await topics(alice, "--create", "--topic", "orders");
      if (created.code !== 0) throw new Error(`create: exit ${created.code}\n${created.stderr}${created.stdout}\n${kgate.logs()}`);
      expect(created.stdout).toContain("Created topic orders");

      const aliceList = await topics(alice, "--list");
      expect(aliceList.code).toBe(0);
      expect(aliceList.stdout.split("\n").filter(Boolean)).toEqual(["orders"]);

      const bobList = await topics(bob, "--list");
      expect(bobList.code).toBe(0);
      expect(bobList.stdout.trim()).toBe("");

      const direct = await kafkaCli("kafka-topics", ["--bootstrap-server", backing, "--list"]);
      expect(direct.code).toBe(0);
      expect(direct.stdout.split("\n")).toContain(`${va}.orders`);
    });
  });
});
