// The backing Kafka for end-to-end tests: KAFKA_BOOTSTRAP when set, else a testcontainers broker
// when a Docker engine answers, else the local broker of scripts/kafka.sh (Maven Central jars).
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type CommandResult, runCommand } from "./command.ts";

export const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));
const KAFKA_SH = join(REPO_ROOT, "scripts", "kafka.sh");

/** PLAINTEXT and SASL_PLAINTEXT listeners of scripts/kafka.sh (and of the testcontainers broker). */
export const LOCAL_BOOTSTRAP = "127.0.0.1:9092";
export const SASL_BOOTSTRAP = process.env.KAFKA_SASL_BOOTSTRAP ?? "127.0.0.1:9094";

/** Users known to the SASL listener, for PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512 alike. */
export const KAFKA_USERS = {
  admin: "admin-secret",
  gateway: "gateway-secret",
} as const;

export type SaslMechanism = "PLAIN" | "SCRAM-SHA-256" | "SCRAM-SHA-512";

/**
 * Whether SASL_BOOTSTRAP is known to serve the users above: true for a broker this module
 * started, false for a KAFKA_BOOTSTRAP from outside unless KAFKA_SASL_BOOTSTRAP comes with it.
 */
export function saslAvailable(): boolean {
  return !process.env.KAFKA_BOOTSTRAP || !!process.env.KAFKA_SASL_BOOTSTRAP;
}

let bootstrap: Promise<string> | undefined;

/** Bootstrap address of a running broker; starts one on first use (idempotent, shared). */
export function kafkaBootstrap(): Promise<string> {
  bootstrap ??= resolveBootstrap();
  return bootstrap;
}

async function resolveBootstrap(): Promise<string> {
  const fromEnv = process.env.KAFKA_BOOTSTRAP;
  if (fromEnv) return fromEnv;
  if (process.env.KGATE_TESTCONTAINERS !== "0" && (await dockerAnswers())) {
    try {
      return await startContainer();
    } catch (err) {
      console.warn(`testcontainers Kafka failed (${(err as Error).message}); using scripts/kafka.sh`);
    }
  }
  const res = await run(KAFKA_SH, ["start"], { timeoutMs: 600_000 });
  if (res.code !== 0) {
    throw new Error(`scripts/kafka.sh start failed (exit ${res.code}):\n${res.stderr}${res.stdout}`);
  }
  process.env.KAFKA_SASL_BOOTSTRAP ??= SASL_BOOTSTRAP;
  return LOCAL_BOOTSTRAP;
}

export type CliResult = CommandResult;

export interface CliOptions {
  /** written to the tool's stdin, which is then closed */
  input?: string;
  /** the tool is killed after this long (default 120 s); code is then 124 */
  timeoutMs?: number;
  env?: Record<string, string>;
}

/** Runs a real Kafka command-line tool (`kafka-topics`, `kafka-console-producer`, ...). */
export function kafkaCli(tool: string, args: string[], opts: CliOptions = {}): Promise<CliResult> {
  return run(KAFKA_SH, ["cli", tool, ...args], opts);
}

/** Writes a client properties file (for `--command-config` and friends) for a SASL user. */
export function saslClientConfig(
  mechanism: SaslMechanism = "SCRAM-SHA-512",
  username: string = "gateway",
  password: string = KAFKA_USERS.gateway,
): string {
  const loginModule = mechanism === "PLAIN"
    ? "org.apache.kafka.common.security.plain.PlainLoginModule"
    : "org.apache.kafka.common.security.scram.ScramLoginModule";
  const file = join(mkdtempSync(join(tmpdir(), "kgate-kafka-")), `${username}-${mechanism}.properties`);
  writeFileSync(
    file,
    [
      "security.protocol=SASL_PLAINTEXT",
      `sasl.mechanism=${mechanism}`,
      `sasl.jaas.config=${loginModule} required username="${username}" password="${password}";`,
      "",
    ].join("\n"),
  );
  return file;
}

/** `runCommand` from the repository root, with a longer default timeout for the JVM tools. */
function run(cmd: string, args: string[], opts: CliOptions = {}): Promise<CliResult> {
  return runCommand(cmd, args, { ...opts, cwd: REPO_ROOT, timeoutMs: opts.timeoutMs ?? 120_000 });
}

// ---------------------------------------------------------------------------------------------
// testcontainers, only where a Docker engine answers

function dockerSocket(): { socketPath?: string; host?: string; port?: number } | undefined {
  const dockerHost = process.env.DOCKER_HOST;
  if (dockerHost?.startsWith("unix://")) return { socketPath: dockerHost.slice("unix://".length) };
  if (dockerHost?.startsWith("tcp://")) {
    const url = new URL(dockerHost.replace(/^tcp:/, "http:"));
    return { host: url.hostname, port: Number(url.port || 2375) };
  }
  if (dockerHost) return undefined; // TLS and other setups: leave them to the local broker
  return existsSync("/var/run/docker.sock") ? { socketPath: "/var/run/docker.sock" } : undefined;
}

/** GET /_ping within a second; a socket file without an engine behind it does not count. */
function dockerAnswers(): Promise<boolean> {
  const target = dockerSocket();
  if (!target) return Promise.resolve(false);
  return new Promise((resolve) => {
    const req = request({ ...target, path: "/_ping", method: "GET", timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve(false));
    req.end();
  });
}

/**
 * The official apache/kafka image with the same listeners and users as scripts/kafka.sh, bound to
 * the same host ports (the advertised addresses must be the ones clients dial).
 */
async function startContainer(): Promise<string> {
  const tc = await import("testcontainers");
  const image = process.env.KAFKA_IMAGE ?? "apache/kafka:4.4.0";
  const scram = "org.apache.kafka.common.security.scram.ScramLoginModule required;";
  const container = await new tc.GenericContainer(image)
    .withExposedPorts({ container: 9092, host: 9092 }, { container: 9094, host: 9094 })
    .withEnvironment({
      KAFKA_NODE_ID: "0",
      KAFKA_PROCESS_ROLES: "broker,controller",
      KAFKA_CONTROLLER_QUORUM_VOTERS: "0@localhost:9093",
      KAFKA_CONTROLLER_LISTENER_NAMES: "CONTROLLER",
      KAFKA_LISTENERS: "PLAINTEXT://:9092,CONTROLLER://:9093,SASL_PLAINTEXT://:9094",
      KAFKA_ADVERTISED_LISTENERS: "PLAINTEXT://127.0.0.1:9092,SASL_PLAINTEXT://127.0.0.1:9094",
      KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT",
      KAFKA_INTER_BROKER_LISTENER_NAME: "PLAINTEXT",
      KAFKA_SASL_ENABLED_MECHANISMS: "PLAIN,SCRAM-SHA-256,SCRAM-SHA-512",
      // the image maps KAFKA_A_B to a.b, __ to _ and ___ to -
      KAFKA_LISTENER_NAME_SASL__PLAINTEXT_PLAIN_SASL_JAAS_CONFIG:
        'org.apache.kafka.common.security.plain.PlainLoginModule required user_admin="admin-secret" user_gateway="gateway-secret";',
      KAFKA_LISTENER_NAME_SASL__PLAINTEXT_SCRAM___SHA___256_SASL_JAAS_CONFIG: scram,
      KAFKA_LISTENER_NAME_SASL__PLAINTEXT_SCRAM___SHA___512_SASL_JAAS_CONFIG: scram,
      KAFKA_AUTHORIZER_CLASS_NAME: "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
      KAFKA_ALLOW_EVERYONE_IF_NO_ACL_FOUND: "true",
      KAFKA_SUPER_USERS: "User:ANONYMOUS;User:admin;User:gateway",
      KAFKA_NUM_PARTITIONS: "1",
      KAFKA_AUTO_CREATE_TOPICS_ENABLE: "true",
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: "1",
      KAFKA_OFFSETS_TOPIC_NUM_PARTITIONS: "5",
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: "1",
      KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: "1",
      KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR: "1",
      KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR: "1",
      KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: "0",
    })
    .withWaitStrategy(tc.Wait.forLogMessage(/Kafka Server started/))
    .withStartupTimeout(180_000)
    .start();
  // SCRAM credentials: the image formats its own storage, so add them through the admin API.
  for (const [user, password] of Object.entries(KAFKA_USERS)) {
    for (const mechanism of ["SCRAM-SHA-256", "SCRAM-SHA-512"]) {
      const res = await container.exec([
        "/opt/kafka/bin/kafka-configs.sh",
        "--bootstrap-server",
        "localhost:9092",
        "--alter",
        "--entity-type",
        "users",
        "--entity-name",
        user,
        "--add-config",
        `${mechanism}=[password=${password}]`,
      ]);
      if (res.exitCode !== 0) throw new Error(`adding ${mechanism} user ${user}: ${res.output}`);
    }
  }
  process.env.KAFKA_SASL_BOOTSTRAP ??= SASL_BOOTSTRAP;
  return LOCAL_BOOTSTRAP;
}
