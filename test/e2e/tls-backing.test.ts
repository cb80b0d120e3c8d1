// TLS from kgate to the backing cluster, with kgate under Bun and Deno: the real broker's SSL
// (9093, client certificate offered) and SASL_SSL (9095) listeners, TLS on both sides with a
// Kafka-topic store, and handshake failures that name the broker and the reason. The failure
// cases that need a certificate the broker does not have (hostname mismatch, expired) use a
// TLS endpoint in the test: the handshake fails before any Kafka byte is exchanged.
import { afterAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { createServer, type Server } from "node:tls";
import { Kafka, logLevel } from "kafkajs";
import { REPO_ROOT } from "../support/kafka.ts";
import { adminCall, binaryAvailable, type KgateProcess, type KgateRuntime, startKgate, waitForLog } from "../support/kgate-process.ts";
import { makeTestCa, pem } from "../support/test-certs.ts";

const run = Date.now().toString(36);
const TLS_DIR = join(REPO_ROOT, ".kafka", "tls");
const BROKER_CA = join(TLS_DIR, "ca.pem");
const SSL_BOOTSTRAP = "127.0.0.1:9093";
const SASL_SSL_BOOTSTRAP = "127.0.0.1:9095";

async function roundTrip(kafka: Kafka, topic: string, count: number): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
  await admin.disconnect();
  const producer = kafka.producer({ idempotent: true });
  await producer.connect();
  await producer.send({ topic, messages: Array.from({ length: count }, (_, i) => ({ value: `v${i}` })) });
  await producer.disconnect();
  const consumer = kafka.consumer({ groupId: `${topic}-group` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const seen: string[] = [];
  await new Promise<void>((resolve) => {
    void consumer.run({
      eachMessage: async ({ message }) => {
        seen.push(message.value!.toString());
        if (seen.length === count) resolve();
      },
    });
  });
  await consumer.disconnect();
  return seen;
}

/** A TLS endpoint with the given certificate: enough to fail (or pass) a handshake. */
async function tlsEndpoint(cert: { cert: string; key: string }): Promise<{ address: string; server: Server }> {
  const server = createServer({ cert: pem(cert.cert), key: pem(cert.key) }, (s) => s.destroy());
  server.on("tlsClientError", () => {});
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { address: `127.0.0.1:${(server.address() as { port: number }).port}`, server };
}

// The binary too (CI builds it first): node:tls must work inside `bun build --compile`.
const runtimes: KgateRuntime[] = ["bun", "deno", ...(binaryAvailable() ? (["binary"] as const) : [])];

for (const kgateRuntime of runtimes) {
  describe(`TLS to the backing cluster (${kgateRuntime})`, () => {
    const started: KgateProcess[] = [];
    const servers: Server[] = [];
    afterAll(async () => {
      for (const k of started) await k.stop();
      for (const s of servers) s.close();
    });

    test("SSL with a client certificate: a transparent client produces and consumes through kgate", async () => {
      const k = await startKgate({
        runtime: kgateRuntime,
        backing: SSL_BOOTSTRAP,
        config: {
          backing: { bootstrapServers: [SSL_BOOTSTRAP], tls: { ca: BROKER_CA, cert: join(TLS_DIR, "client.pem"), key: join(TLS_DIR, "client-key.pem") } },
        },
      });
      started.push(k);
      const kafka = new Kafka({ clientId: "tls-backing", brokers: [k.bootstrap], logLevel: logLevel.NOTHING });
      const seen = await roundTrip(kafka, `tls-backing-${kgateRuntime}-${run}`, 200);
      expect(seen).toHaveLength(200);
      const admin = kafka.admin();
      await admin.connect();
      const cluster = await admin.describeCluster();
      await admin.disconnect();
      for (const b of cluster.brokers) expect(b.port).not.toBe(9093); // kgate's ports, never the broker's
    });

    test("TLS on both sides: SASL_SSL to the broker (SCRAM-SHA-512), SASL_SSL from the tenant, Kafka store over TLS", async () => {
      const ca = makeTestCa();
      const server = ca.server("listener");
      const vc = `vc-tls2-${kgateRuntime}-${run}`;
      const k = await startKgate({
        runtime: kgateRuntime,
        backing: SASL_SSL_BOOTSTRAP,
        config: {
          listener: { host: "127.0.0.1", advertisedHost: "127.0.0.1", tls: { cert: server.cert, key: server.key } },
          backing: {
            bootstrapServers: [SASL_SSL_BOOTSTRAP],
            sasl: { mechanism: "SCRAM-SHA-512", username: "gateway", password: "gateway-secret" },
            tls: { ca: BROKER_CA },
          },
          store: { type: "kafka", topic: `_kgate_state_tls_${kgateRuntime}_${run}` },
          auth: { tokenSecret: "a-token-secret-of-at-least-32-characters!" },
          vclusters: [{ name: vc }],
        },
      });
      started.push(k);
      const { token } = await adminCall<{ token: string }>(k, "POST", `/v1/vclusters/${vc}/tokens`, { username: "alice" });
      const kafka = new Kafka({
        clientId: "tls-both",
        brokers: [k.bootstrap],
        ssl: { ca: [pem(ca.ca)] },
        sasl: { mechanism: "plain", username: "alice", password: token },
        logLevel: logLevel.NOTHING,
      });
      const seen = await roundTrip(kafka, "secure-orders", 100);
      expect(seen).toHaveLength(100);
    });

    const refusedWith = async (backing: string, tls: Record<string, unknown>, expected: string) => {
      const k = await startKgate({
        runtime: kgateRuntime,
        backing,
        config: { backing: { bootstrapServers: [backing], tls }, limits: { backingTimeoutMs: 3000 } },
      });
      started.push(k);
      const kafka = new Kafka({ clientId: "tls-refused", brokers: [k.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 }, connectionTimeout: 3000 });
      const admin = kafka.admin();
      await expect(admin.connect().then(() => admin.listTopics())).rejects.toThrow();
      await admin.disconnect().catch(() => {});
      const logs = await waitForLog(k, expected, 5000);
      expect(logs).toContain(`${backing}: TLS handshake failed: ${expected}`);
    };

    test("a broker certificate from an unknown CA is refused, naming the broker and the reason", async () => {
      await refusedWith(SSL_BOOTSTRAP, { ca: makeTestCa("not the broker's CA").ca }, "unknown CA");
    });

    test("a hostname mismatch is refused", async () => {
      const ca = makeTestCa();
      const endpoint = await tlsEndpoint(ca.server("elsewhere", { hosts: ["elsewhere.example"] }));
      servers.push(endpoint.server);
      await refusedWith(endpoint.address, { ca: ca.ca }, "hostname mismatch");
    });

    test("an expired certificate is refused", async () => {
      const ca = makeTestCa();
      const endpoint = await tlsEndpoint(ca.server("expired", { days: 0 }));
      servers.push(endpoint.server);
      await new Promise((r) => setTimeout(r, 1100)); // notAfter = now: expired a second later
      await refusedWith(endpoint.address, { ca: ca.ca }, "certificate expired");
    });
  });
}
