// TLS on kgate's Kafka listener (bootstrap and broker ports) and on the admin API, with kgate
// under Bun and Deno: kafkajs, kcat and the Java tools over SASL_SSL into a vcluster; client
// certificates required; certificate rotation without dropping open connections.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { copyFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { connect as tlsConnect } from "node:tls";
import { Kafka, logLevel } from "kafkajs";
import { kafkaBootstrap, kafkaCli } from "../support/kafka.ts";
import { adminCall, type KgateProcess, startKgate, waitForLog } from "../support/kgate-process.ts";
import { runKcat } from "../support/vcluster-fixture.ts";
import { makeTestCa, pem, type TestCa } from "../support/test-certs.ts";

const run = Date.now().toString(36);

/** The serial number of the certificate a fresh TLS handshake with kgate presents. */
function presentedSerial(port: number, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = tlsConnect({ host: "127.0.0.1", port, ca: pem(ca) }, () => {
      const serial = s.getPeerCertificate().serialNumber;
      s.destroy();
      resolve(serial);
    });
    s.on("error", reject);
  });
}

function handshake(port: number, opts: { ca: string; cert?: string; key?: string }): Promise<"ok" | string> {
  return new Promise((resolve) => {
    const s = tlsConnect({ host: "127.0.0.1", port, ca: pem(opts.ca), cert: opts.cert && pem(opts.cert), key: opts.key && pem(opts.key) });
    s.on("secureConnect", () => {
      // With TLS 1.3 a refused client certificate surfaces just after the handshake.
      setTimeout(() => {
        resolve(s.destroyed ? "closed" : "ok");
        s.destroy();
      }, 300);
    });
    s.on("error", (e) => resolve((e as NodeJS.ErrnoException).code ?? e.message));
    s.on("close", () => resolve("closed"));
  });
}

for (const kgateRuntime of ["bun", "deno"] as const) {
  describe(`TLS listener (${kgateRuntime})`, () => {
    let kgate: KgateProcess;
    let ca: TestCa;
    let certPath: string;
    let keyPath: string;
    const vc = `vc-tls-${kgateRuntime}-${run}`;
    let token = "";
    let clientProperties = "";

    beforeAll(async () => {
      ca = makeTestCa();
      const server = ca.server("server");
      certPath = join(ca.dir, "listener.pem");
      keyPath = join(ca.dir, "listener-key.pem");
      copyFileSync(server.cert, certPath);
      copyFileSync(server.key, keyPath);
      kgate = await startKgate({
        runtime: kgateRuntime,
        backing: await kafkaBootstrap(),
        config: {
          listener: {
            host: "127.0.0.1",
            advertisedHost: "127.0.0.1",
            tls: { cert: certPath, key: keyPath, ca: ca.ca, clientAuth: "requested", truststore: ca.ca },
          },
          vclusters: [{ name: vc }],
        },
      });
      ({ token, clientProperties } = await adminCall<{ token: string; clientProperties: string }>(kgate, "POST", `/v1/vclusters/${vc}/tokens`, {
        username: "alice",
      }));
    });
    afterAll(async () => {
      await kgate.stop();
    });

    test("kafkajs over SASL_SSL: create, produce, consume inside the vcluster", async () => {
      const kafka = new Kafka({
        clientId: "tls",
        brokers: [kgate.bootstrap],
        ssl: { ca: [pem(ca.ca)] },
        sasl: { mechanism: "plain", username: "alice", password: token },
        logLevel: logLevel.NOTHING,
      });
      const admin = kafka.admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic: "secure", numPartitions: 1 }], waitForLeaders: true });
      expect(await admin.listTopics()).toEqual(["secure"]);
      await admin.disconnect();
      const producer = kafka.producer();
      await producer.connect();
      await producer.send({ topic: "secure", messages: Array.from({ length: 100 }, (_, i) => ({ value: `m${i}` })) });
      await producer.disconnect();
      const consumer = kafka.consumer({ groupId: "tls-group" });
      await consumer.connect();
      await consumer.subscribe({ topic: "secure", fromBeginning: true });
      const seen: string[] = [];
      await new Promise<void>((resolve) => {
        void consumer.run({
          eachMessage: async ({ message }) => {
            seen.push(message.value!.toString());
            if (seen.length === 100) resolve();
          },
        });
      });
      await consumer.disconnect();
      expect(seen).toHaveLength(100);
    });

    test("kcat (librdkafka) over SASL_SSL lists the tenant's topic at kgate's TLS ports", async () => {
      const res = await runKcat([
        "-b",
        kgate.bootstrap,
        "-L",
        "-J",
        "-X",
        "security.protocol=SASL_SSL",
        "-X",
        `ssl.ca.location=${ca.ca}`,
        "-X",
        "sasl.mechanism=PLAIN",
        "-X",
        "sasl.username=alice",
        "-X",
        `sasl.password=${token}`,
      ]);
      expect(res.code).toBe(0);
      const meta = JSON.parse(res.out) as { topics: { topic: string }[]; brokers: { name: string }[] };
      expect(meta.topics.map((t) => t.topic)).toContain("secure");
      for (const b of meta.brokers) expect(b.name).toMatch(/^127\.0\.0\.1:\d+$/);
    });

    test("the Java tools over SASL_SSL with the client properties the admin API hands out", async () => {
      expect(clientProperties).toContain("security.protocol=SASL_SSL");
      expect(clientProperties).toContain("ssl.truststore.type=PEM");
      const props = join(ca.dir, `java-${kgateRuntime}.properties`);
      writeFileSync(props, clientProperties);
      const res = await kafkaCli("kafka-topics", ["--bootstrap-server", kgate.bootstrap, "--command-config", props, "--list"]);
      expect(res.stdout.split("\n")).toContain("secure");
    });

    test("a client certificate from another CA is refused in the handshake", async () => {
      const other = makeTestCa("another CA");
      const stranger = other.client("stranger", "/CN=stranger");
      expect(await handshake(kgate.port, { ca: ca.ca, cert: stranger.cert, key: stranger.key })).not.toBe("ok");
      const known = ca.client("known", "/CN=alice/O=tenant");
      expect(await handshake(kgate.port, { ca: ca.ca, cert: known.cert, key: known.key })).toBe("ok");
    });

    test("a renewed certificate applies to new connections; open ones keep working", async () => {
      const kafka = new Kafka({
        clientId: "tls-rotation",
        brokers: [kgate.bootstrap],
        ssl: { ca: [pem(ca.ca)] },
        sasl: { mechanism: "plain", username: "alice", password: token },
        logLevel: logLevel.NOTHING,
      });
      const producer = kafka.producer();
      await producer.connect();
      await producer.send({ topic: "secure", messages: [{ value: "before" }] });
      const before = await presentedSerial(kgate.port, ca.ca);
      const renewed = ca.server("renewed");
      copyFileSync(renewed.key, keyPath);
      copyFileSync(renewed.cert, certPath);
      expect(await waitForLog(kgate, "listener certificate reloaded", 8000)).toContain("listener certificate reloaded");
      const after = await presentedSerial(kgate.port, ca.ca);
      expect(after).not.toBe(before);
      await producer.send({ topic: "secure", messages: [{ value: "after" }] }); // same connection
      await producer.disconnect();
    });
  });

  describe(`TLS: client certificates required and as identities, admin API over HTTPS (${kgateRuntime})`, () => {
    let kgate: KgateProcess;
    let ca: TestCa;
    const vcCert = `vc-mtls-${kgateRuntime}-${run}`;
    const vcSasl = `vc-sasl-${kgateRuntime}-${run}`;
    const certKafka = (cert: { cert: string; key: string }, sasl?: { username: string; password: string }) =>
      new Kafka({
        clientId: "mtls",
        brokers: [kgate.bootstrap],
        ssl: { ca: [pem(ca.ca)], cert: pem(cert.cert), key: pem(cert.key) },
        sasl: sasl ? { mechanism: "plain", ...sasl } : undefined,
        logLevel: logLevel.NOTHING,
        retry: { retries: 0 },
      });
    beforeAll(async () => {
      ca = makeTestCa();
      const server = ca.server("server");
      const admin = ca.server("admin");
      kgate = await startKgate({
        runtime: kgateRuntime,
        backing: await kafkaBootstrap(),
        config: {
          listener: { host: "127.0.0.1", advertisedHost: "127.0.0.1", tls: { cert: server.cert, key: server.key, ca: ca.ca, clientAuth: "required" } },
          admin: { tls: { cert: admin.cert, key: admin.key } },
          auth: {
            certificates: [{ subject: "CN=alice,O=tenant", username: "alice", vcluster: vcCert }, {
              san: "DNS:robot.tenant",
              username: "robot",
              vcluster: vcCert,
            }],
          },
          vclusters: [{ name: vcCert }, { name: vcSasl }],
        },
      });
    });

    test("a mapped client certificate logs in without SASL, by subject DN or by SAN", async () => {
      const byDn = certKafka(ca.client("alice", "/CN=alice/O=tenant")).admin();
      await byDn.connect();
      await byDn.createTopics({ topics: [{ topic: "by-cert", numPartitions: 1 }], waitForLeaders: true });
      expect(await byDn.listTopics()).toEqual(["by-cert"]);
      await byDn.disconnect();
      const bySan = certKafka(ca.client("robot", "/CN=build-robot", { san: "DNS:robot.tenant" })).admin();
      await bySan.connect();
      expect(await bySan.listTopics()).toEqual(["by-cert"]);
      await bySan.disconnect();
      const direct = await kafkaCli("kafka-topics", ["--bootstrap-server", await kafkaBootstrap(), "--list"]);
      expect(direct.stdout.split("\n")).toContain(`${vcCert}.by-cert`);
      expect(await waitForLog(kgate, "via client certificate")).toContain(`into ${vcCert} via client certificate`);
    });

    test("a verified certificate that maps to no user still needs SASL", async () => {
      const admin = certKafka(ca.client("nobody", "/CN=nobody")).admin();
      await expect(admin.connect().then(() => admin.listTopics())).rejects.toThrow();
      await admin.disconnect().catch(() => {});
      expect(await waitForLog(kgate, "authentication required")).toContain("authentication required");
    });

    test("with SASL as well, the SASL identity wins", async () => {
      const res = await fetch(`${kgate.adminUrl.replace("http://", "https://")}/v1/vclusters/${vcSasl}/tokens`, {
        method: "POST",
        headers: { authorization: `Bearer ${kgate.adminToken}`, "content-type": "application/json" },
        body: JSON.stringify({ username: "bob" }),
        tls: { ca: pem(ca.ca) },
      } as RequestInit);
      const { token } = (await res.json()) as { token: string };
      const admin = certKafka(ca.client("alice2", "/CN=alice/O=tenant"), { username: "bob", password: token }).admin();
      await admin.connect();
      expect(await admin.listTopics()).toEqual([]); // bob's vcluster, not alice's by-cert
      await admin.disconnect();
    });
    afterAll(async () => {
      await kgate.stop();
    });

    test("a client without a certificate cannot complete the handshake", async () => {
      expect(await handshake(kgate.port, { ca: ca.ca })).not.toBe("ok");
      const known = ca.client("known", "/CN=alice/O=tenant");
      expect(await handshake(kgate.port, { ca: ca.ca, cert: known.cert, key: known.key })).toBe("ok");
    });

    test("the admin API answers over HTTPS", async () => {
      const url = kgate.adminUrl.replace("http://", "https://");
      const res = await fetch(`${url}/healthz`, { tls: { ca: pem(ca.ca) } } as RequestInit);
      expect(res.status).toBe(200);
      expect(await waitForLog(kgate, "admin API on https://")).toContain("admin API on https://");
    });
  });
}
