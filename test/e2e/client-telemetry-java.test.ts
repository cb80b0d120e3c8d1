// Client telemetry (KIP-714) with the Java client inside a vcluster, kgate under Bun and Deno:
// the Kafka 4.4 console producer asks kgate for a telemetry subscription, gets "nothing wanted",
// never pushes, and logs nothing about telemetry.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Kafka, logLevel } from "kafkajs";
import { kafkaBootstrap, kafkaCli } from "../support/kafka.ts";
import { adminCall, type KgateProcess, startKgate, writeProperties } from "../support/kgate-process.ts";

const run = Date.now().toString(36);

async function requestCount(k: KgateProcess, api: string, vcluster: string): Promise<number> {
  const text = await fetch(`${k.adminUrl}/metrics`, { headers: { authorization: `Bearer ${k.adminToken}` } }).then((r) => r.text());
  const line = text.split("\n").find((l) => l.startsWith("kgate_requests_total{") && l.includes(`api="${api}"`) && l.includes(`vcluster="${vcluster}"`));
  return line ? Number(line.slice(line.lastIndexOf(" ") + 1)) : 0;
}

for (const kgateRuntime of ["bun", "deno"] as const) {
  describe(`client telemetry with the Java client (${kgateRuntime})`, () => {
    let kgate: KgateProcess;
    const vc = `vc-telemetry-${kgateRuntime}-${run}`;
    let issued: { token: string; clientProperties: string };

    beforeAll(async () => {
      kgate = await startKgate({ runtime: kgateRuntime, backing: await kafkaBootstrap(), config: { vclusters: [{ name: vc }] } });
      issued = await adminCall(kgate, "POST", `/v1/vclusters/${vc}/tokens`, { username: "java" });
      const admin = new Kafka({
        brokers: [kgate.bootstrap],
        sasl: { mechanism: "plain", username: "java", password: issued.token },
        logLevel: logLevel.NOTHING,
      }).admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic: "events", numPartitions: 1 }], waitForLeaders: true });
      await admin.disconnect();
    });
    afterAll(async () => {
      if (kgate) expect(await kgate.stop()).toBe(0);
    });

    test("the console producer gets its subscription from kgate, pushes nothing, logs nothing about telemetry", async () => {
      const props = writeProperties(kgate, `telemetry-${kgateRuntime}.properties`, `${issued.clientProperties}\nenable.metrics.push=true\n`);
      const res = await kafkaCli("kafka-console-producer", ["--bootstrap-server", kgate.bootstrap, "--producer.config", props, "--topic", "events"], {
        input: "one\ntwo\n",
      });
      expect(res.code).toBe(0);
      expect(`${res.stdout}\n${res.stderr}`).not.toMatch(/telemetry/i);
      expect(await requestCount(kgate, "GetTelemetrySubscriptions", vc)).toBeGreaterThan(0); // GetTelemetrySubscriptions, answered by kgate
      expect(await requestCount(kgate, "PushTelemetry", vc)).toBe(0); // PushTelemetry: nothing was requested
    });
  });
}
