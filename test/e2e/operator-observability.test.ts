// What an operator sees of a running kgate: JSON log lines that name the connection, vcluster and
// principal; /metrics with API names, login failures by reason and build info; `kgate status`;
// `kgate vcluster create --properties` giving a client that logs in; latency histograms per API and
// vcluster after a real produce; every JSON line about a connection names it, and once logged in
// its vcluster and principal.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Kafka, logLevel } from "kafkajs";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { KafkaConnection } from "../../src/client/kafka-connection.ts";
import { SaslLoginError } from "../../src/client/sasl-login.ts";
import { defaultMetadataRequest } from "../../src/protocol/messages/metadata-request.ts";
import { runtime } from "../../src/runtime/index.ts";
import { kafkaBootstrap } from "../support/kafka.ts";
import { adminCall, type KgateProcess, startKgate, waitForLog } from "../support/kgate-process.ts";
import { kgateCli } from "../support/vcluster-fixture.ts";

type LogLine = Record<string, unknown>;

/** Every line kgate wrote, parsed; a line that is not JSON fails the test with its text. */
function jsonLines(k: KgateProcess): LogLine[] {
  return k.logs().split("\n").filter((l) => l.trim() && !l.startsWith("kgate ready")).map((line) => {
    try {
      return JSON.parse(line) as LogLine;
    } catch {
      throw new Error(`not a JSON log line: ${line}`);
    }
  });
}

for (const kgateRuntime of ["bun", "deno"] as const) {
  describe(`operator observability (${kgateRuntime})`, () => {
    let kgate: KgateProcess;
    const vcluster = `vc-obs-${kgateRuntime}`;

    beforeAll(async () => {
      kgate = await startKgate({
        runtime: kgateRuntime,
        backing: await kafkaBootstrap(),
        config: { log: { format: "json" }, topicPolicy: { maxPartitionsPerTopic: 2 } },
      });
      await adminCall(kgate, "PUT", `/v1/vclusters/${vcluster}`);
    });
    afterAll(async () => {
      await kgate.stop();
    });

    test("log.format json: parseable lines; lines about a connection carry connection, vcluster and principal", async () => {
      const { token } = await adminCall<{ token: string }>(kgate, "POST", `/v1/vclusters/${vcluster}/tokens`, { username: "olga" });
      const conn = await KafkaConnection.open(runtime, [{ host: "127.0.0.1", port: kgate.port }], {
        sasl: { mechanism: "PLAIN", username: "olga", password: token },
      });
      await conn.request(3, 12, { ...defaultMetadataRequest(), topics: null });
      conn.close();
      await waitForLog(kgate, "closed");

      const lines = jsonLines(kgate);
      expect(lines.length).toBeGreaterThan(3);
      for (const line of lines) {
        expect(typeof line["@timestamp"]).toBe("string");
        expect(typeof line.level).toBe("string");
        expect(typeof line.message).toBe("string");
      }
      const authenticated = lines.find((l) => /^connection \d+: authenticated "olga" into /.test(String(l.message)));
      expect(authenticated).toMatchObject({ vcluster, principal: "olga" });
      expect(typeof authenticated!.connection).toBe("number");
      const closed = lines.find((l) => l.connection === authenticated!.connection && String(l.message).includes("closed"));
      expect(closed).toMatchObject({ vcluster, principal: "olga" });
    });

    test("/metrics: API names, open connections per vcluster, login failures by reason, build info", async () => {
      await expect(KafkaConnection.open(runtime, [{ host: "127.0.0.1", port: kgate.port }], {
        sasl: { mechanism: "PLAIN", username: "olga", password: "not-a-token" },
      })).rejects.toBeInstanceOf(SaslLoginError);
      const { token } = await adminCall<{ token: string }>(kgate, "POST", `/v1/vclusters/${vcluster}/tokens`, { username: "pia" });
      const open = await KafkaConnection.open(runtime, [{ host: "127.0.0.1", port: kgate.port }], {
        sasl: { mechanism: "PLAIN", username: "pia", password: token },
      });
      try {
        const res = await fetch(`${kgate.adminUrl}/metrics`, { headers: { authorization: `Bearer ${kgate.adminToken}` } });
        const text = await res.text();
        expect(text).toContain(`kgate_requests_total{api="Metadata",vcluster="${vcluster}"} 1\n`);
        expect(text).toContain('kgate_requests_total{api="SaslAuthenticate",vcluster="unauthenticated"}');
        expect(text).not.toContain("api_key=");
        expect(text).toContain(`kgate_connections{vcluster="${vcluster}"} 1\n`);
        expect(text).toMatch(/kgate_authentication_failures_total\{reason="invalid_credentials"\} 1\n/);
        expect(text).toMatch(new RegExp(`kgate_build_info\\{version="\\d+\\.\\d+\\.\\d+",commit="[^"]+",runtime="${kgateRuntime}"\\} 1\\n`));

        const status = await kgateCli(kgate, ["status"], kgateRuntime);
        expect(status.code).toBe(0);
        expect(status.out).toMatch(new RegExp(`^kgate \\S+ \\(\\S+\\) on ${kgateRuntime}: \\d+ open connections?\\n`));
        expect(status.out).toMatch(new RegExp(`\\n${vcluster}\\s+1\\s+\\d+(\\.\\d)? (B|KiB)\\s+\\d+(\\.\\d)? (B|KiB)\\n`));
      } finally {
        open.close();
      }
    });

    test("kgate vcluster create --properties: the written file logs in to the new vcluster", async () => {
      const name = `vc-props-${kgateRuntime}`;
      const created = await kgateCli(kgate, ["vcluster", "create", name, "--properties", "props.properties", "--user", "quinn"], kgateRuntime);
      expect(created.code).toBe(0);
      const properties = readFileSync(join(kgate.dir, "props.properties"), "utf8");
      expect(properties).toContain(`bootstrap.servers=${kgate.bootstrap}\n`);
      const token = /username="quinn" password="([^"]+)"/.exec(properties)?.[1];
      const conn = await KafkaConnection.open(runtime, [{ host: "127.0.0.1", port: kgate.port }], {
        sasl: { mechanism: "PLAIN", username: "quinn", password: token! },
      });
      try {
        await conn.request(3, 12, { ...defaultMetadataRequest(), topics: null });
      } finally {
        conn.close();
      }
      expect(await waitForLog(kgate, `authenticated \\"quinn\\" into ${name}`)).toContain(`"principal":"quinn"`);
    });

    test("after a produce, /metrics has time-in-kgate and time-at-broker histograms for Produce under the vcluster", async () => {
      const { token } = await adminCall<{ token: string }>(kgate, "POST", `/v1/vclusters/${vcluster}/tokens`, { username: "rita" });
      const kafka = new Kafka({
        clientId: "obs-histograms",
        brokers: [kgate.bootstrap],
        sasl: { mechanism: "plain", username: "rita", password: token },
        logLevel: logLevel.NOTHING,
      });
      const admin = kafka.admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic: "latency", numPartitions: 1 }], waitForLeaders: true });
      // Refused by the topic policy: the log line about it must name the connection and tenant.
      await expect(admin.createTopics({ topics: [{ topic: "too-wide", numPartitions: 5 }] })).rejects.toThrow();
      await admin.disconnect();
      const producer = kafka.producer();
      await producer.connect();
      for (let i = 0; i < 3; i++) await producer.send({ topic: "latency", acks: -1, messages: [{ value: `v${i}` }] });
      const res = await fetch(`${kgate.adminUrl}/metrics`, { headers: { authorization: `Bearer ${kgate.adminToken}` } });
      const text = await res.text();
      await producer.disconnect();

      const count = (name: string) => Number(new RegExp(`^${name}_count\\{api="Produce",vcluster="${vcluster}"\\} (\\d+)$`, "m").exec(text)?.[1] ?? -1);
      expect(count("kgate_request_duration_seconds")).toBeGreaterThanOrEqual(3);
      expect(count("kgate_broker_request_duration_seconds")).toBeGreaterThanOrEqual(3);
      expect(text).toContain("# TYPE kgate_request_duration_seconds histogram\n");
      expect(text).toMatch(new RegExp(`^kgate_broker_request_duration_seconds_bucket\\{api="Produce",vcluster="${vcluster}",le="\\+Inf"\\} \\d+$`, "m"));
      // Answered by kgate itself: time in kgate only, never a broker time.
      expect(text).toMatch(/^kgate_request_duration_seconds_count\{api="ApiVersions",vcluster="unauthenticated"\} \d+$/m);
      expect(text).not.toContain('kgate_broker_request_duration_seconds_count{api="ApiVersions"');
      expect(text).toMatch(/^kgate_upstream_connections\{state="open",broker="\d+"\} [1-9]\d*$/m);

      const lines = jsonLines(kgate);
      const refusal = lines.find((l) => String(l.message).includes("CreateTopics refused for topic"));
      expect(refusal).toMatchObject({ vcluster, principal: "rita" });
      expect(typeof refusal!.connection).toBe("number");
      // Every line whose message is about a connection carries its id, and once that connection has
      // logged in, its vcluster and principal.
      const loggedIn = new Map<number, LogLine>();
      for (const line of lines) {
        const about = /^connection (\d+)\b/.exec(String(line.message));
        if (!about) continue;
        const id = Number(about[1]);
        expect(line.connection).toBe(id);
        if (/: authenticated /.test(String(line.message))) loggedIn.set(id, line);
        const login = loggedIn.get(id);
        if (login && !/: authenticated /.test(String(line.message))) {
          expect({ message: line.message, vcluster: line.vcluster, principal: line.principal })
            .toEqual({ message: line.message, vcluster: login.vcluster, principal: login.principal });
        }
      }
      expect(loggedIn.size).toBeGreaterThan(2);
    }, 30_000);
  });
}
