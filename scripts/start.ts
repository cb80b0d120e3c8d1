// `npm start`: the first run. Starts the local Kafka (scripts/kafka.sh) unless KAFKA_BOOTSTRAP
// names one, starts kgate from source with its embedded defaults, creates the demo virtual
// clusters vc-alice and vc-bob with client properties files, and prints the commands to try.
// Ctrl-C (SIGINT) or SIGTERM stops kgate, and the Kafka too if this script started it.
// Reads nothing from stdin.
//
// `npm start -- --tls`: the same demo with TLS on both sides: kgate's Kafka listener serves TLS
// with a certificate from the checkout's test CA (scripts/kafka.sh tls), the client properties
// say SASL_SSL and carry that CA, and kgate reaches the local Kafka on its SSL port (9093).
//
// Where things go (KGATE_DEMO_DIR, default: the repository root):
//   vc-alice.properties, vc-bob.properties   client properties for --command-config
//   kgate-data/store.json                     kgate's file store (the embedded default path)
//   kgate-data/kgate.log                      kgate's log
//
// Environment:
//   KAFKA_BOOTSTRAP    use this Kafka instead of scripts/kafka.sh's 127.0.0.1:9092
//   KGATE_PORT         Kafka listener bootstrap port (default 6969)
//   KGATE_ADMIN_PORT   admin API port (default 8888)
//   KGATE_DEMO_DIR     see above
//   KGATE_DEMO_PREFIX  put this in front of the vclusters' backing prefixes (tests use it to keep
//                      runs apart on a shared broker)
//   KGATE_KAFKA_SH     the script that starts/stops Kafka (tests use a stand-in)
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createWriteStream, mkdirSync, writeFileSync } from "node:fs";
import { isAbsolute, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { reachable } from "./lib/reachable.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const KAFKA_SH = process.env.KGATE_KAFKA_SH || join(ROOT, "scripts", "kafka.sh");
const LOCAL_KAFKA = "127.0.0.1:9092";
const DEFAULT_PORT = 6969;
const DEFAULT_ADMIN_PORT = 8888;
const TENANTS = [
  { vcluster: "vc-alice", user: "alice" },
  { vcluster: "vc-bob", user: "bob" },
] as const;

const bun = process.versions.bun ? process.execPath : join(ROOT, "node_modules", ".bin", "bun");
const demoDir = resolve(process.env.KGATE_DEMO_DIR || ROOT);
const dataDir = join(demoDir, "kgate-data");
const port = portFromEnv("KGATE_PORT", DEFAULT_PORT);
const adminPort = portFromEnv("KGATE_ADMIN_PORT", DEFAULT_ADMIN_PORT);
const adminUrl = `http://127.0.0.1:${adminPort}`;
const adminToken = randomBytes(24).toString("base64url");
const demoPrefix = process.env.KGATE_DEMO_PREFIX ?? "";
const withTls = process.argv.slice(2).includes("--tls");
const LOCAL_KAFKA_TLS = "127.0.0.1:9093";

let kafkaStartedHere = false;
let kafkaStartup: Promise<void> | undefined;
let kgate: ChildProcess | undefined;
let stopping: Promise<void> | undefined;

function say(text: string): void {
  console.log(`start: ${text}`);
}

function portFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (!raw) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 65535) {
    console.error(`start: ${name}=${raw} is not a port`);
    process.exit(2);
  }
  return n;
}

/** Path as the user should type it from the repository root (where npm start runs). */
function shown(path: string): string {
  const rel = relative(ROOT, path);
  return rel && !rel.startsWith("..") && !isAbsolute(rel) ? rel : path;
}

function run(cmd: string, args: string[], opts: { quiet?: boolean } = {}): Promise<{ code: number; output: string }> {
  return new Promise((done) => {
    const child = spawn(cmd, args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    const take = (chunk: Buffer, to: NodeJS.WriteStream) => {
      output += chunk.toString();
      if (!opts.quiet) to.write(chunk);
    };
    child.stdout!.on("data", (c: Buffer) => take(c, process.stdout));
    child.stderr!.on("data", (c: Buffer) => take(c, process.stderr));
    child.on("error", (err) => done({ code: 127, output: `${output}${err.message}` }));
    child.on("close", (code) => done({ code: code ?? 1, output }));
  });
}

/** The backing Kafka: KAFKA_BOOTSTRAP, a running scripts/kafka.sh broker, or one started now. */
async function backingKafka(): Promise<string> {
  const fromEnv = process.env.KAFKA_BOOTSTRAP;
  if (fromEnv) {
    const first = fromEnv.split(",")[0]!.trim();
    say(`using the Kafka at KAFKA_BOOTSTRAP=${fromEnv}`);
    if (!(await reachable(first))) say(`warning: nothing answers at ${first} yet`);
    return fromEnv;
  }
  if ((await run(KAFKA_SH, ["status"], { quiet: true })).code === 0) {
    say(`using the local Kafka that is already running (${LOCAL_KAFKA}); it stays up when this stops`);
    return LOCAL_KAFKA;
  }
  say("starting the local Kafka (scripts/kafka.sh start; the first run fetches its jars from Maven Central) ...");
  kafkaStartup = (async () => {
    const started = await run(KAFKA_SH, ["start"]);
    if (started.code === 0) {
      // `start` is idempotent: a broker that came up meanwhile is not ours to stop.
      kafkaStartedHere = !/already running/.test(started.output);
      return;
    }
    // Failed or interrupted (Ctrl-C during startup): a broker it left behind is ours.
    await run(KAFKA_SH, ["stop"], { quiet: true });
    throw new Error(
      `scripts/kafka.sh start failed (exit ${started.code}). If a Kafka you started some other way is ` +
        `listening on ${LOCAL_KAFKA}, run: KAFKA_BOOTSTRAP=${LOCAL_KAFKA} npm start`,
    );
  })();
  await kafkaStartup;
  return LOCAL_KAFKA;
}

/**
 * kgate from source, with the embedded defaults. Only what differs from them (ports, another
 * backing cluster) goes into a small config file; the admin token comes from KGATE_ADMIN_TOKEN.
 */
async function startKgate(backing: string): Promise<void> {
  mkdirSync(dataDir, { recursive: true });
  const overrides: string[] = [];
  const listener: Record<string, unknown> = {};
  if (port !== DEFAULT_PORT) listener.port = port;
  const backingConfig: Record<string, unknown> = {};
  if (backing !== LOCAL_KAFKA) backingConfig.bootstrapServers = backing.split(",").map((s) => s.trim());
  if (withTls) {
    const tlsDir = await testCa();
    // The broker's test certificate is for 127.0.0.1 and localhost, signed by the test CA: good for kgate too.
    listener.tls = { cert: join(tlsDir, "broker.pem"), key: join(tlsDir, "broker-key.pem"), truststore: join(tlsDir, "ca.pem") };
    if (backing === LOCAL_KAFKA) backingConfig.bootstrapServers = [LOCAL_KAFKA_TLS];
    if (backing === LOCAL_KAFKA) backingConfig.tls = { ca: join(tlsDir, "ca.pem") };
  }
  if (Object.keys(listener).length) overrides.push(`listener: ${JSON.stringify(listener)}`);
  if (adminPort !== DEFAULT_ADMIN_PORT) overrides.push(`admin: {port: ${adminPort}}`);
  if (Object.keys(backingConfig).length) overrides.push(`backing: ${JSON.stringify(backingConfig)}`);
  const args = [join(ROOT, "src", "main.ts"), "serve"];
  if (overrides.length) {
    const config = join(dataDir, "demo.yaml");
    writeFileSync(config, `# written by npm start (scripts/start.ts): only what differs from the embedded defaults\n${overrides.join("\n")}\n`);
    args.push("--config", config);
  }
  const env: Record<string, string | undefined> = { ...process.env, KGATE_ADMIN_TOKEN: adminToken };
  delete env.KGATE_CONFIG;
  const logFile = join(dataDir, "kgate.log");
  const log = createWriteStream(logFile, { flags: "a" });
  say(`starting kgate: bun src/main.ts ${args.slice(1).map(shown).join(" ")}  (log: ${shown(logFile)})`);
  const child = spawn(bun, args, { cwd: demoDir, env, stdio: ["ignore", "pipe", "pipe"] });
  kgate = child;
  let output = "";
  await new Promise<void>((ready, fail) => {
    const timer = setTimeout(() => fail(new Error(`kgate did not become ready in 30 s:\n${output}`)), 30_000);
    const onData = (chunk: Buffer) => {
      log.write(chunk);
      if (output.includes("kgate ready")) return;
      output += chunk.toString();
      if (output.includes("kgate ready")) {
        clearTimeout(timer);
        ready();
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      const hint = /listen|EADDRINUSE|in use/i.test(output)
        ? `\nIs another kgate running? Ports ${port} (Kafka) and ${adminPort} (admin API) must be free; KGATE_PORT and KGATE_ADMIN_PORT move them.`
        : "";
      fail(new Error(`kgate exited (${signal ?? `code ${code}`}) before it was ready:\n${output.trim()}${hint}`));
    });
  });
  child.on("exit", (code, signal) => {
    if (stopping) return;
    // Exit 0: kgate got the terminal's Ctrl-C itself (same process group) and shut down.
    if (code !== 0) console.error(`start: kgate exited (${signal ?? `code ${code}`}); see ${shown(logFile)}`);
    void stop(code === 0 ? 0 : 1);
  });
}

/** The checkout's test CA and certificates (made once by scripts/kafka.sh tls); returns their folder. */
async function testCa(): Promise<string> {
  const res = await run(join(ROOT, "scripts", "kafka.sh"), ["tls"], { quiet: true });
  const dir = res.output.trim().split("\n").at(-1) ?? "";
  if (res.code !== 0 || !dir) throw new Error(`scripts/kafka.sh tls failed (exit ${res.code}):\n${res.output}`);
  return dir;
}

async function kgateCli(args: string[]): Promise<string> {
  const res = await run(bun, [join(ROOT, "src", "main.ts"), ...args, "--admin-url", adminUrl, "--admin-token", adminToken], { quiet: true });
  if (res.code !== 0) throw new Error(`kgate ${args.join(" ")} failed:\n${res.output.trim()}`);
  return res.output.trim();
}

/** `kgate vcluster create` and `kgate token create --properties`, as a user would. */
async function createTenants(): Promise<string[]> {
  const files: string[] = [];
  for (const { vcluster, user } of TENANTS) {
    const prefixArgs = demoPrefix ? ["--prefix", `${demoPrefix}${vcluster}.`] : [];
    say(await kgateCli(["vcluster", "create", vcluster, ...prefixArgs]));
    const file = join(demoDir, `${vcluster}.properties`);
    await kgateCli(["token", "create", vcluster, "--user", user, "--properties", file]);
    say(`client properties for ${user} in ${vcluster}: ${shown(file)}`);
    files.push(file);
  }
  return files;
}

function printScenario(backing: string, files: string[]): void {
  const gateway = `127.0.0.1:${port}`;
  const topics = (bootstrap: string, rest: string) => `  scripts/kafka.sh cli kafka-topics --bootstrap-server ${bootstrap} ${rest}`;
  const [alice, bob] = files.map(shown);
  const direct = backing.split(",")[0]!.trim();
  const cliAdmin = adminPort === DEFAULT_ADMIN_PORT ? "" : ` --admin-url ${adminUrl}`;
  console.log(`
kgate is up: Kafka listener ${gateway}${withTls ? " (TLS)" : ""} in front of ${backing}${
    withTls && backing === LOCAL_KAFKA ? ` (over TLS on ${LOCAL_KAFKA_TLS})` : ""
  }, admin API ${adminUrl}

Virtual clusters vc-alice and vc-bob, with client properties (${withTls ? "SASL_SSL: TLS, then SASL/PLAIN" : "SASL/PLAIN"}, token as password):
  ${alice}
  ${bob}

Try it from the repository root, in another terminal:

  # alice creates a topic and lists her topics
${topics(gateway, `--command-config ${alice} --create --topic orders`)}
${topics(gateway, `--command-config ${alice} --list`)}
  # bob sees nothing of alice
${topics(gateway, `--command-config ${bob} --list`)}
  # the backing cluster, directly: alice's topic carries her prefix (${demoPrefix}vc-alice.)
${topics(direct, "--list")}

Admin API and CLI:
  export KGATE_ADMIN_TOKEN=${adminToken}
  curl -H "Authorization: Bearer $KGATE_ADMIN_TOKEN" ${adminUrl}/v1/vclusters
  npx bun src/main.ts vcluster list${cliAdmin}

kgate (pid ${kgate?.pid}) logs to ${shown(join(dataDir, "kgate.log"))}.
Ctrl-C stops kgate${kafkaStartedHere ? " and the Kafka started here" : ""}.`);
}

async function stopKgate(): Promise<void> {
  const child = kgate;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((done) => child.once("exit", () => done()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
}

function stop(code: number): Promise<void> {
  stopping ??= (async () => {
    say("stopping kgate ...");
    await stopKgate();
    // Let a `kafka.sh start` in progress finish (or clean up after itself) first.
    await kafkaStartup?.catch(() => {});
    if (kafkaStartedHere) {
      say("stopping the local Kafka started by npm start ...");
      await run(KAFKA_SH, ["stop"]);
    }
    say("stopped");
    process.exit(code);
  })();
  return stopping;
}

async function main(): Promise<void> {
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.on(signal, () => void stop(0));
  }
  try {
    const backing = await backingKafka();
    if (stopping) return;
    await startKgate(backing);
    if (stopping) return;
    const files = await createTenants();
    if (stopping) return;
    printScenario(backing, files);
  } catch (error) {
    if (stopping) return;
    console.error(`start: ${error instanceof Error ? error.message : String(error)}`);
    await stop(1);
  }
  // Running until a signal: kgate's pipes keep the event loop alive.
}

await main();
