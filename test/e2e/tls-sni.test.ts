// SNI routing, kgate under Bun and Deno: one TLS port serves the bootstrap name and every broker,
// each connection routed by the host name of its TLS handshake. The names (`*.kgate.test`) map to
// 127.0.0.1 without /etc/hosts: kafkajs through its socketFactory, the Java tools through the
// JDK's -Djdk.net.hosts.file. With `vclusterInHost` the host names the vcluster and pins it.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { connect as tlsConnect } from "node:tls";
import { type ISocketFactory, Kafka, logLevel } from "kafkajs";
import { kafkaBootstrap, kafkaCli } from "../support/kafka.ts";
import { adminCall, type KgateProcess, startKgate, waitForLog } from "../support/kgate-process.ts";
import { apiVersionsV0 } from "../support/raw-socket.ts";
import { makeTestCa, pem, type TestCa } from "../support/test-certs.ts";

const DOMAIN = "kgate.test";
const run = Date.now().toString(36);

/** Every (host, port) kafkajs dialled, each actually dialled at 127.0.0.1 with the host as SNI name. */
function loopbackSockets(ca: string, dialled: string[]): ISocketFactory {
  return ({ host, port, onConnect }) => {
    dialled.push(`${host}:${port}`);
    const socket = tlsConnect({ host: "127.0.0.1", port, servername: host, ca: pem(ca) }, onConnect);
    socket.setKeepAlive(true, 60_000);
    return socket;
  };
}

/**
 * A TLS handshake naming `serverName`, then an ApiVersions request: "answered" if kgate sent a
 * response, "closed" if it closed the connection instead.
 */
function probe(port: number, serverName: string, ca: string): Promise<"answered" | "closed"> {
  return new Promise((resolve) => {
    // The name is checked by kgate, not by this client: it accepts any certificate name.
    const s = tlsConnect(
      { host: "127.0.0.1", port, servername: serverName, ca: pem(ca), checkServerIdentity: () => undefined },
      () => s.write(apiVersionsV0(1)),
    );
    const timer = setTimeout(() => finish("answered"), 5000);
    const finish = (outcome: "answered" | "closed") => {
      clearTimeout(timer);
      s.destroy();
      resolve(outcome);
    };
    s.on("data", () => finish("answered"));
    s.on("error", () => finish("closed"));
    s.on("close", () => finish("closed"));
  });
}

for (const kgateRuntime of ["bun", "deno"] as const) {
  describe(`SNI routing on one TLS port (${kgateRuntime})`, () => {
    let kgate: KgateProcess;
    let ca: TestCa;
    const vcA = `vc-sni-a-${kgateRuntime}-${run}`;
    const vcB = `vc-sni-b-${kgateRuntime}-${run}`;
    let tokenA = "";
    let tokenB = "";
    const kafkaFor = (bootstrapHost: string, username: string, token: string, dialled: string[]) =>
      new Kafka({
        clientId: "sni",
        brokers: [`${bootstrapHost}:${kgate.port}`],
        ssl: { ca: [pem(ca.ca)] },
        sasl: { mechanism: "plain", username, password: token },
        socketFactory: loopbackSockets(ca.ca, dialled),
        logLevel: logLevel.NOTHING,
        retry: { retries: 2, initialRetryTime: 100 },
      });

    beforeAll(async () => {
      ca = makeTestCa();
      // One wildcard per level: a wildcard covers a single label.
      const server = ca.server("sni", { hosts: [`*.${DOMAIN}`, `*.${vcA}.${DOMAIN}`, `*.${vcB}.${DOMAIN}`, "127.0.0.1"] });
      kgate = await startKgate({
        runtime: kgateRuntime,
        backing: await kafkaBootstrap(),
        config: {
          listener: {
            host: "127.0.0.1",
            advertisedHost: "127.0.0.1",
            tls: { cert: server.cert, key: server.key },
            sni: { advertisedDomain: DOMAIN, vclusterInHost: true },
          },
          vclusters: [{ name: vcA }, { name: vcB }],
        },
      });
      ({ token: tokenA } = await adminCall<{ token: string }>(kgate, "POST", `/v1/vclusters/${vcA}/tokens`, { username: "alice" }));
      ({ token: tokenB } = await adminCall<{ token: string }>(kgate, "POST", `/v1/vclusters/${vcB}/tokens`, { username: "bob" }));
    });
    afterAll(async () => {
      await kgate.stop();
    });

    test("kafkajs produces and consumes with every connection on the one port, brokers by name", async () => {
      const dialled: string[] = [];
      const kafka = kafkaFor(`bootstrap.${DOMAIN}`, "alice", tokenA, dialled);
      const admin = kafka.admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic: "routed", numPartitions: 2 }], waitForLeaders: true });
      const { brokers } = await admin.describeCluster();
      await admin.disconnect();
      // Logged in through the bare bootstrap name, alice is told her vcluster's names.
      expect(brokers.length).toBeGreaterThan(0);
      for (const b of brokers) expect(b).toMatchObject({ host: `b${b.nodeId}.${vcA}.${DOMAIN}`, port: kgate.port });
      const producer = kafka.producer();
      await producer.connect();
      await producer.send({ topic: "routed", messages: Array.from({ length: 50 }, (_, i) => ({ value: `m${i}`, partition: i % 2 })) });
      await producer.disconnect();
      const consumer = kafka.consumer({ groupId: "sni-group" });
      await consumer.connect();
      await consumer.subscribe({ topic: "routed", fromBeginning: true });
      const seen = new Set<string>();
      await new Promise<void>((resolve) => {
        void consumer.run({
          eachMessage: async ({ message }) => {
            seen.add(message.value!.toString());
            if (seen.size === 50) resolve();
          },
        });
      });
      await consumer.disconnect();
      expect(seen.size).toBe(50);
      expect(dialled.some((d) => d.startsWith(`b0.${vcA}.${DOMAIN}:`))).toBe(true);
      expect(new Set(dialled.map((d) => d.split(":")[1]))).toEqual(new Set([String(kgate.port)]));
      // kgate opened no port besides the bootstrap one, and served every connection there.
      expect(kgate.logs()).not.toMatch(/listening \S+ for broker/);
      expect(kgate.logs()).toContain(`for broker 0 (SNI b0.${vcA}.${DOMAIN})`);
      const ports = [...kgate.logs().matchAll(/connection \d+ opened from \S+ on port (\d+)/g)].map((m) => m[1]);
      expect(ports.length).toBeGreaterThanOrEqual(3);
      expect(new Set(ports)).toEqual(new Set([String(kgate.port)]));
    });

    test("the Java tools consume through the broker names (jdk.net.hosts.file)", async () => {
      const hosts = join(ca.dir, "hosts");
      const names = [`bootstrap.${DOMAIN}`, `b0.${DOMAIN}`, `bootstrap.${vcA}.${DOMAIN}`, `b0.${vcA}.${DOMAIN}`];
      writeFileSync(hosts, `127.0.0.1 ${names.join(" ")}\n`);
      const props = join(ca.dir, `java-${kgateRuntime}.properties`);
      writeFileSync(
        props,
        [
          "security.protocol=SASL_SSL",
          "ssl.truststore.type=PEM",
          `ssl.truststore.location=${ca.ca}`,
          "sasl.mechanism=PLAIN",
          `sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="alice" password="${tokenA}";`,
          "",
        ].join("\n"),
      );
      const res = await kafkaCli("kafka-console-consumer", [
        "--bootstrap-server",
        `bootstrap.${vcA}.${DOMAIN}:${kgate.port}`,
        "--command-config",
        props,
        "--topic",
        "routed",
        "--from-beginning",
        "--max-messages",
        "50",
        "--timeout-ms",
        "30000",
      ], { env: { KAFKA_CLI_JAVA_OPTS: `-Djdk.net.hosts.file=${hosts}` } });
      const values = res.stdout.split("\n").filter((l) => /^m\d+$/.test(l));
      expect(new Set(values).size).toBe(50);
    });

    test("a name kgate does not serve is refused with a logged reason; the bootstrap names are answered", async () => {
      expect(await probe(kgate.port, `nobody.${DOMAIN}`, ca.ca)).toBe("closed");
      expect(await probe(kgate.port, `b0.${vcA}.elsewhere.test`, ca.ca)).toBe("closed");
      expect(await probe(kgate.port, `b4242.${DOMAIN}`, ca.ca)).toBe("closed");
      expect(await waitForLog(kgate, "names broker 4242")).toContain("which kgate has not seen in the backing cluster's metadata");
      expect(kgate.logs()).toContain(`SNI host nobody.${DOMAIN} is not a name kgate serves (listener.sni)`);
      expect(await probe(kgate.port, `bootstrap.${DOMAIN}`, ca.ca)).toBe("answered");
      expect(await probe(kgate.port, `b0.${vcA}.${DOMAIN}`, ca.ca)).toBe("answered");
    });

    test("the vcluster in the host name pins: a login into another vcluster is refused", async () => {
      // bob's own names work for bob ...
      const bob = kafkaFor(`bootstrap.${vcB}.${DOMAIN}`, "bob", tokenB, []).admin();
      await bob.connect();
      expect(await bob.listTopics()).toEqual([]);
      await bob.disconnect();
      // ... alice's valid token is refused on bob's names, at bootstrap and on a broker name.
      for (const host of [`bootstrap.${vcB}.${DOMAIN}`, `b0.${vcB}.${DOMAIN}`]) {
        const intruder = kafkaFor(host, "alice", tokenA, []).admin();
        await expect(intruder.connect()).rejects.toThrow();
        await intruder.disconnect().catch(() => {});
      }
      await waitForLog(kgate, "host name pins");
      const refusals = kgate.logs().split(`belongs to ${vcA}, but the connection's host name pins ${vcB}`).length - 1;
      expect(refusals).toBeGreaterThanOrEqual(2);
    });

    test("naming a vcluster in the host grants nothing without a login", async () => {
      const res = await new Promise<"answered" | "closed">((resolve) => {
        // Metadata v1 (topics: null = all) sent at once, no SASL: must be refused, not answered.
        const metadata = Buffer.from([0, 0, 0, 14, 0, 3, 0, 1, 0, 0, 0, 7, 0, 0, 0xff, 0xff, 0xff, 0xff]);
        const s = tlsConnect({ host: "127.0.0.1", port: kgate.port, servername: `bootstrap.${vcA}.${DOMAIN}`, ca: pem(ca.ca) }, () => s.write(metadata));
        s.on("data", () => {
          s.destroy();
          resolve("answered");
        });
        s.on("close", () => resolve("closed"));
        s.on("error", () => resolve("closed"));
      });
      expect(res).toBe("closed");
      expect(await waitForLog(kgate, "sent before SASL authentication")).toContain("Metadata sent before SASL authentication");
    });
  });
}
