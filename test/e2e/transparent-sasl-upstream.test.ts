// kgate's upstream is the broker's SASL_PLAINTEXT listener with SCRAM-SHA-512 and kgate's own
// credentials; clients connect to kgate without SASL. A wrong backing password closes the
// client's connection promptly with a clear log line instead of leaving it hanging.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Kafka, logLevel } from "kafkajs";
import { runCommand } from "../support/command.ts";
import { KAFKA_USERS, kafkaBootstrap, SASL_BOOTSTRAP, saslAvailable } from "../support/kafka.ts";
import { type KgateProcess, type KgateRuntime, startKgate, waitForLog } from "../support/kgate-process.ts";
import { apiVersionsV0, rawConversation } from "../support/raw-socket.ts";
import { consumeValues } from "../support/kafkajs-consume.ts";

const RECORDS = 1000;

function saslBacking(password: string) {
  return {
    backing: {
      bootstrapServers: [SASL_BOOTSTRAP],
      sasl: { mechanism: "SCRAM-SHA-512", username: "gateway", password },
    },
  };
}

for (const runtime of ["bun", "deno"] as KgateRuntime[]) {
  describe.skipIf(!saslAvailable())(`SCRAM-SHA-512 upstream (${runtime})`, () => {
    let kgate: KgateProcess;
    const topic = `sasl-up-${runtime}-${Date.now()}`;

    beforeAll(async () => {
      await kafkaBootstrap();
      // The backing password comes from the environment, as secrets do in production.
      kgate = await startKgate({
        runtime,
        backing: SASL_BOOTSTRAP,
        config: saslBacking("${KGATE_E2E_BACKING_PASSWORD}"),
        env: { KGATE_E2E_BACKING_PASSWORD: KAFKA_USERS.gateway },
      });
    });
    afterAll(async () => {
      expect(await kgate.stop()).toBe(0);
    });

    test("clients without SASL produce and consume through kgate's SASL upstream", async () => {
      const kafka = new Kafka({ clientId: "e2e-sasl-up", brokers: [kgate.bootstrap], logLevel: logLevel.NOTHING });
      const admin = kafka.admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
      const { brokers } = await admin.describeCluster();
      await admin.disconnect();
      // The SASL listener's advertised address (9094) is rewritten to kgate's broker port.
      expect(brokers.map((b) => `${b.host}:${b.port}`)).toEqual([`127.0.0.1:${kgate.port + 1}`]);

      const producer = kafka.producer();
      await producer.connect();
      await producer.send({ topic, messages: Array.from({ length: RECORDS }, (_, i) => ({ value: `v${i}` })) });
      await producer.disconnect();

      const seen = await consumeValues(kafka, topic, RECORDS);
      expect(seen.size).toBe(RECORDS);
    });

    test("kcat (no SASL on its side) produces and consumes", async () => {
      const kcat = (args: string[], input?: string) => runCommand("kcat", ["-b", kgate.bootstrap, ...args], { input, timeoutMs: 60_000 });
      const produced = await kcat(["-P", "-t", topic, "-p", "0"], "from-kcat\n");
      expect(produced.code).toBe(0);
      const consumed = await kcat(["-C", "-t", topic, "-p", "0", "-o", "-1", "-e", "-q"]);
      expect(consumed.code).toBe(0);
      expect(consumed.stdout.trim()).toBe("from-kcat");
    });
  });

  describe.skipIf(!saslAvailable())(`SCRAM-SHA-512 upstream with a wrong password (${runtime})`, () => {
    let kgate: KgateProcess;

    beforeAll(async () => {
      await kafkaBootstrap();
      kgate = await startKgate({ runtime, backing: SASL_BOOTSTRAP, config: saslBacking("not-the-password") });
    });
    afterAll(async () => {
      expect(await kgate.stop()).toBe(0);
    });

    test("the client connection is closed and the log says why", async () => {
      const [host, port] = kgate.bootstrap.split(":");
      const started = Date.now();
      const outcome = await rawConversation(host!, Number(port), [apiVersionsV0(1)], { timeoutMs: 15_000 });
      expect(outcome.closed).toBe(true);
      // A Kafka error first: ApiVersions v0 (correlation id 1) with NETWORK_EXCEPTION (13).
      expect(outcome.received.readInt32BE(4)).toBe(1);
      expect(outcome.received.readInt16BE(8)).toBe(13);
      expect(Date.now() - started).toBeLessThan(15_000);
      const logs = await waitForLog(kgate, "closed: backing cluster unavailable");
      const line = logs.split("\n").find((l) => /connection \d+ from \S+ closed: backing cluster unavailable/.test(l));
      expect(line).toMatch(/closed: /);
      expect(line).toMatch(/level=warning/);
      expect(line).toMatch(/SCRAM-SHA-512/);
      expect(line).toMatch(/gateway/);
      expect(line).toMatch(/fail/i);
      expect(line).not.toContain("not-the-password");
    });

    test("a real client gets an error, not a hang", async () => {
      const res = await runCommand("kcat", ["-b", kgate.bootstrap, "-L", "-m", "5"], { timeoutMs: 30_000 });
      expect(res.code).not.toBe(0);
      expect(res.code).not.toBe(124);
      // kgate stays up and logs each refused connection.
      expect(kgate.child.exitCode).toBeNull();
      const refused = kgate.logs().split("\n").filter((l) => /connection \d+ from \S+ closed: backing cluster unavailable: SaslLoginError/.test(l));
      expect(refused.length).toBeGreaterThanOrEqual(2);
    });
  });
}
