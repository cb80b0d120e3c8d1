// `npm run test:broker-3.9`: the end-to-end files that matter most for broker compatibility,
// run against an older Apache Kafka (3.9.1 by default, KRaft, jars from Maven Central), with
// kgate built from this checkout in front of it. The broker lives in .kafka-VERSION on ports
// 19092-19099 (scripts/kafka.sh), never touching the pinned .kafka; tests of features the
// older broker lacks (KIP-848 regexes, share and streams groups) skip themselves by asking
// the broker's ApiVersions. Ends with the `N passed, N failed` line of `npm test`.
//
//   npm run test:broker-3.9                         start 3.9.1 if needed, run, stop it if it was started here
//   bun scripts/test-broker.ts 3.9.1 vcluster-scenario   another subset (file filters as for npm test)
import { spawn } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const KAFKA_SH = join(ROOT, "scripts", "kafka.sh");
const PORT_BASE = 19092;

/**
 * The subset: the isolation suite (every offered API the broker serves, attacked), tenants
 * with the Java tools, kafkajs and kcat (topics, groups, offsets, transactions), pinned and
 * anonymous listeners, transparent proxying with each client kind, SCRAM logins.
 */
const DEFAULT_FILES = [
  "vcluster-isolation",
  "vcluster-scenario",
  "vcluster-listener-modes",
  "transparent-kafkajs",
  "transparent-kcat",
  "transparent-cli",
  "scram-clients",
];

function run(cmd: string, args: string[], env: Record<string, string | undefined>): Promise<number> {
  const defined = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined)) as Record<string, string>;
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: ROOT, env: defined, stdio: ["ignore", "inherit", "inherit"] });
    child.on("error", () => resolve(127));
    child.on("close", (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

async function main(): Promise<number> {
  const [version = "3.9.1", ...filters] = process.argv.slice(2);
  const brokerEnv = { ...process.env, KAFKA_VERSION: version, KAFKA_PORT_BASE: String(PORT_BASE), KAFKA_BROKERS: "1" };
  const wasRunning = (await run(KAFKA_SH, ["status"], brokerEnv)) === 0;
  if (!wasRunning && (await run(KAFKA_SH, ["start"], brokerEnv)) !== 0) {
    console.log(`Apache Kafka ${version} did not start`);
    console.log("0 passed, 1 failed");
    return 1;
  }
  // The tests' own tools (`kafka.sh cli`) stay the pinned version's: no KAFKA_VERSION for them.
  const testEnv: Record<string, string | undefined> = {
    ...process.env,
    KAFKA_VERSION: undefined,
    KAFKA_DIR: undefined,
    KAFKA_PORT_BASE: undefined,
    KAFKA_BOOTSTRAP: `127.0.0.1:${PORT_BASE}`,
    KAFKA_SASL_BOOTSTRAP: `127.0.0.1:${PORT_BASE + 2}`,
  };
  console.log(`\n=== e2e against Apache Kafka ${version} at 127.0.0.1:${PORT_BASE}`);
  const code = await run(process.execPath, [join(ROOT, "scripts", "test.ts"), "e2e", ...(filters.length ? filters : DEFAULT_FILES)], testEnv);
  if (!wasRunning) await run(KAFKA_SH, ["stop"], brokerEnv);
  return code;
}

process.exit(await main());
