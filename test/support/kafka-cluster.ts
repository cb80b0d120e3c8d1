// A private multi-broker KRaft cluster for one test file, on free ports of its own, so that it
// runs beside the shared single-node broker of scripts/kafka.sh (which other tests keep using)
// instead of replacing it. Same jars as scripts/kafka.sh (`scripts/kafka.sh clients-jar`
// resolves them), PLAINTEXT, node 0 is broker and the only controller. With `strictAcls`, also a
// SASL_PLAINTEXT listener (SCRAM-SHA-512; admin and gateway are super users, as PLAINTEXT's
// ANONYMOUS) and the StandardAuthorizer with allow.everyone.if.no.acl.found=false: a principal
// reaches exactly what its ACLs allow, which the shared broker (open where no ACL exists) cannot show.
// With `saslWithoutAuthorizer`, the same SASL listener and users but no authorizer at all.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { Kafka, logLevel } from "kafkajs";
import { REPO_ROOT } from "./kafka.ts";

export interface KafkaCluster {
  /** PLAINTEXT address of each node, by node id. */
  brokers: string[];
  /** With `strictAcls` or `saslWithoutAuthorizer`: the SASL_PLAINTEXT address of each node. */
  saslBrokers: string[];
  dir: string;
  log(node: number): string;
  stop(): Promise<void>;
}

const HOST = "127.0.0.1";

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, HOST, () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

function java(): string {
  const home = process.env.JAVA_HOME;
  return home && existsSync(join(home, "bin", "java")) ? join(home, "bin", "java") : "java";
}

/** The SCRAM users of a strict-ACL cluster (super users, like scripts/kafka.sh's). */
export const STRICT_SUPER_USERS = { admin: "admin-secret", gateway: "gateway-secret" } as const;

export async function startKafkaCluster(
  options: { brokers?: number; heap?: string; timeoutMs?: number; strictAcls?: boolean; saslWithoutAuthorizer?: boolean } = {},
): Promise<KafkaCluster> {
  const n = options.brokers ?? 3;
  const libs = dirname(execFileSync(join(REPO_ROOT, "scripts", "kafka.sh"), ["clients-jar"], { encoding: "utf8" }).trim());
  const classpath = `${libs}/*`;
  const log4j = join(REPO_ROOT, ".kafka", "log4j2-cli.xml");
  const dir = mkdtempSync(join(tmpdir(), `kgate-kafka${n}-`));
  const ports: number[] = [];
  const strict = options.strictAcls === true;
  const sasl = strict || options.saslWithoutAuthorizer === true;
  while (ports.length < (sasl ? 2 * n + 1 : n + 1)) {
    const p = await freePort();
    if (!ports.includes(p)) ports.push(p);
  }
  const controllerPort = ports[n]!;
  const brokers = ports.slice(0, n).map((p) => `${HOST}:${p}`);
  const saslBrokers = sasl ? ports.slice(n + 1).map((p) => `${HOST}:${p}`) : [];

  const clusterId = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64url").replace(/^-/, "A");
  for (let i = 0; i < n; i++) {
    const advertised = [`PLAINTEXT://${brokers[i]}`, ...(sasl ? [`SASL_PLAINTEXT://${saslBrokers[i]}`] : [])];
    const listeners = [...advertised];
    if (i === 0) listeners.push(`CONTROLLER://${HOST}:${controllerPort}`);
    writeFileSync(
      join(dir, `server-${i}.properties`),
      [
        `process.roles=${i === 0 ? "broker,controller" : "broker"}`,
        `node.id=${i}`,
        `controller.quorum.voters=0@${HOST}:${controllerPort}`,
        "controller.listener.names=CONTROLLER",
        `listeners=${listeners.join(",")}`,
        `advertised.listeners=${advertised.join(",")}`,
        "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT",
        ...(sasl
          ? [
            "sasl.enabled.mechanisms=SCRAM-SHA-512",
            "listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;",
          ]
          : []),
        ...(strict
          ? [
            "authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer",
            "allow.everyone.if.no.acl.found=false",
            "super.users=User:ANONYMOUS;User:admin;User:gateway",
          ]
          : []),
        "inter.broker.listener.name=PLAINTEXT",
        `log.dirs=${join(dir, `data-${i}`)}`,
        "num.partitions=1",
        "default.replication.factor=1",
        "min.insync.replicas=1",
        "auto.create.topics.enable=true",
        "offsets.topic.replication.factor=1",
        "offsets.topic.num.partitions=3",
        "transaction.state.log.replication.factor=1",
        "transaction.state.log.min.isr=1",
        "transaction.state.log.num.partitions=3",
        "share.coordinator.state.topic.replication.factor=1",
        "share.coordinator.state.topic.min.isr=1",
        "group.initial.rebalance.delay.ms=0",
        "num.network.threads=1",
        "num.io.threads=2",
        "num.recovery.threads.per.data.dir=1",
        "",
      ].join("\n"),
    );
    execFileSync(
      java(),
      [
        "-Xmx256m",
        "-XX:TieredStopAtLevel=1",
        "-XX:+UseSerialGC",
        `-Dlog4j2.configurationFile=${log4j}`,
        "-cp",
        classpath,
        "kafka.tools.StorageTool",
        "format",
        "-t",
        clusterId,
        "-c",
        join(dir, `server-${i}.properties`),
        // SCRAM credentials live in the metadata log, written by the controller's format.
        ...(sasl && i === 0
          ? Object.entries(STRICT_SUPER_USERS).flatMap(([user, password]) => ["--add-scram", `SCRAM-SHA-512=[name=${user},password=${password}]`])
          : []),
      ],
      { stdio: "pipe" },
    );
  }

  const children: ChildProcess[] = [];
  const heap = options.heap ?? "384m";
  for (let i = 0; i < n; i++) {
    const child = spawn(
      java(),
      [
        `-Xms${heap}`,
        `-Xmx${heap}`,
        "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1",
        "-Djava.awt.headless=true",
        `-Dkafka.logs.dir=${dir}`,
        `-Dlog4j2.configurationFile=${join(REPO_ROOT, ".kafka", "log4j2-broker.xml")}`,
        "-cp",
        classpath,
        "kafka.Kafka",
        join(dir, `server-${i}.properties`),
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    const logFile = join(dir, `broker-${i}.log`);
    writeFileSync(logFile, "");
    const append = (b: Buffer) => writeFileSync(logFile, b, { flag: "a" });
    child.stdout!.on("data", append);
    child.stderr!.on("data", append);
    children.push(child);
  }
  const killAll = () => children.forEach((c) => c.exitCode === null && c.kill("SIGKILL"));
  process.once("exit", killAll);

  const cluster: KafkaCluster = {
    brokers,
    saslBrokers,
    dir,
    log: (i) => readFileSync(join(dir, `broker-${i}.log`), "utf8"),
    stop: async () => {
      // brokers first, the controller last, so that controlled shutdown can finish
      for (let i = n - 1; i >= 0; i--) {
        const c = children[i]!;
        if (c.exitCode !== null || c.signalCode !== null) continue;
        const exited = new Promise((r) => c.once("exit", r));
        c.kill("SIGTERM");
        const timer = setTimeout(() => c.kill("SIGKILL"), 20_000);
        await exited;
        clearTimeout(timer);
      }
      process.removeListener("exit", killAll);
      rmSync(dir, { recursive: true, force: true });
    },
  };

  // Ready when every node serves metadata listing all n brokers.
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  for (;;) {
    const dead = children.findIndex((c) => c.exitCode !== null);
    if (dead >= 0) {
      const tail = cluster.log(dead).split("\n").slice(-30).join("\n");
      await cluster.stop();
      throw new Error(`broker ${dead} of the ${n}-broker test cluster exited:\n${tail}`);
    }
    if (await allBrokersSeen(brokers, n)) return cluster;
    if (Date.now() > deadline) {
      const tail = cluster.log(0).split("\n").slice(-30).join("\n");
      await cluster.stop();
      throw new Error(`the ${n}-broker test cluster was not ready in time:\n${tail}`);
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

async function allBrokersSeen(brokers: string[], n: number): Promise<boolean> {
  for (const b of brokers) {
    const admin = new Kafka({ clientId: "cluster-probe", brokers: [b], logLevel: logLevel.NOTHING, retry: { retries: 0 } }).admin();
    try {
      await admin.connect();
      const { brokers: seen } = await admin.describeCluster();
      if (seen.length < n) return false;
    } catch {
      return false;
    } finally {
      await admin.disconnect().catch(() => {});
    }
  }
  return true;
}
