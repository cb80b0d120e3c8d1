// TLS on both sides (clients → kgate over TLS, kgate → broker over SASL_SSL) for every way a
// client proves who it is — a PLAIN token, a SCRAM service account, a client certificate alone —
// with kafkajs and kcat (librdkafka), and kgate under Bun, Deno and as the binary. Each login must
// land in its own vcluster: it creates a topic there and lists exactly that.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { Kafka, logLevel, type SASLOptions } from "kafkajs";
import { REPO_ROOT } from "../support/kafka.ts";
import { adminCall, binaryAvailable, type KgateProcess, type KgateRuntime, startKgate } from "../support/kgate-process.ts";
import { makeTestCa, pem, type TestCa } from "../support/test-certs.ts";
import { runKcat } from "../support/vcluster-fixture.ts";

const run = Date.now().toString(36);
const BROKER_CA = join(REPO_ROOT, ".kafka", "tls", "ca.pem");
const SASL_SSL_BOOTSTRAP = "127.0.0.1:9095";
const runtimes: KgateRuntime[] = ["bun", "deno", ...(binaryAvailable() ? (["binary"] as const) : [])];

interface Identity {
  name: string;
  vcluster: string;
  kafkajs(): { sasl?: SASLOptions; cert?: { cert: string; key: string } };
  kcat(): string[];
}

for (const kgateRuntime of runtimes) {
  describe(`TLS both sides × identities × clients (${kgateRuntime})`, () => {
    let kgate: KgateProcess;
    let ca: TestCa;
    const vc = (kind: string) => `vc-m-${kind}-${kgateRuntime}-${run}`;
    const identities: Identity[] = [];

    beforeAll(async () => {
      ca = makeTestCa();
      const server = ca.server("listener");
      const client = ca.client("robot", "/CN=robot/O=matrix");
      kgate = await startKgate({
        runtime: kgateRuntime,
        backing: SASL_SSL_BOOTSTRAP,
        config: {
          listener: { host: "127.0.0.1", advertisedHost: "127.0.0.1", tls: { cert: server.cert, key: server.key, ca: ca.ca, clientAuth: "requested" } },
          backing: {
            bootstrapServers: [SASL_SSL_BOOTSTRAP],
            sasl: { mechanism: "SCRAM-SHA-512", username: "gateway", password: "gateway-secret" },
            tls: { ca: BROKER_CA },
          },
          auth: { certificates: [{ subject: "CN=robot,O=matrix", username: "robot", vcluster: vc("cert") }] },
          vclusters: [{ name: vc("plain") }, { name: vc("scram") }, { name: vc("cert") }],
        },
      });
      const { token } = await adminCall<{ token: string }>(kgate, "POST", `/v1/vclusters/${vc("plain")}/tokens`, { username: "alice" });
      const scram = await adminCall<{ login: string; password: string }>(kgate, "POST", `/v1/vclusters/${vc("scram")}/service-accounts`, {
        username: "billing",
      });
      const tlsArgs = ["-X", `ssl.ca.location=${ca.ca}`];
      identities.push(
        {
          name: "PLAIN token",
          vcluster: vc("plain"),
          kafkajs: () => ({ sasl: { mechanism: "plain", username: "alice", password: token } }),
          kcat:
            () => ["-X", "security.protocol=SASL_SSL", ...tlsArgs, "-X", "sasl.mechanism=PLAIN", "-X", "sasl.username=alice", "-X", `sasl.password=${token}`],
        },
        {
          name: "SCRAM-SHA-512 service account",
          vcluster: vc("scram"),
          kafkajs: () => ({ sasl: { mechanism: "scram-sha-512", username: scram.login, password: scram.password } }),
          kcat: () => [
            "-X",
            "security.protocol=SASL_SSL",
            ...tlsArgs,
            "-X",
            "sasl.mechanism=SCRAM-SHA-256",
            "-X",
            `sasl.username=${scram.login}`,
            "-X",
            `sasl.password=${scram.password}`,
          ],
        },
        {
          name: "client certificate only (mTLS)",
          vcluster: vc("cert"),
          kafkajs: () => ({ cert: client }),
          kcat: () => ["-X", "security.protocol=SSL", ...tlsArgs, "-X", `ssl.certificate.location=${client.cert}`, "-X", `ssl.key.location=${client.key}`],
        },
      );
    });
    afterAll(async () => {
      await kgate.stop();
    });

    // Names known before beforeAll fills in the credentials.
    ["PLAIN token", "SCRAM-SHA-512 service account", "client certificate only (mTLS)"].forEach((name, index) => {
      test(`${name}: kafkajs creates and lists in its vcluster; kcat lists and consumes the same`, async () => {
        const id = identities[index]!;
        expect(id.name).toBe(name);
        const { sasl, cert } = id.kafkajs();
        const kafka = new Kafka({
          clientId: "matrix",
          brokers: [kgate.bootstrap],
          ssl: { ca: [pem(ca.ca)], ...(cert ? { cert: pem(cert.cert), key: pem(cert.key) } : {}) },
          sasl,
          logLevel: logLevel.NOTHING,
        });
        const admin = kafka.admin();
        await admin.connect();
        const topic = `t-${index}`;
        await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
        expect(await admin.listTopics()).toEqual([topic]);
        await admin.disconnect();
        const producer = kafka.producer();
        await producer.connect();
        await producer.send({ topic, messages: [{ value: id.name }] });
        await producer.disconnect();

        const listed = await runKcat(["-b", kgate.bootstrap, "-L", "-J", ...id.kcat()]);
        expect(listed.code, `${id.name}: ${listed.err}`).toBe(0);
        expect((JSON.parse(listed.out) as { topics: { topic: string }[] }).topics.map((t) => t.topic)).toEqual([topic]);
        const consumed = await runKcat(["-b", kgate.bootstrap, "-C", "-t", topic, "-o", "beginning", "-e", "-q", ...id.kcat()]);
        expect(consumed.out.trim(), `${id.name}: ${consumed.err}`).toBe(id.name);
      });
    });
  });
}
