// SASL/SCRAM on kgate's client listener, with kgate under Bun and Deno: service accounts made
// through the admin API log in with SCRAM-SHA-256 and SCRAM-SHA-512 from kafkajs, kcat and the
// Java tools (with the client properties as handed out); a wrong password is refused; rotation
// and deletion take effect.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Kafka, logLevel, type SASLOptions } from "kafkajs";
import { KafkaConnection } from "../../src/client/kafka-connection.ts";
import { defaultMetadataRequest } from "../../src/protocol/messages/metadata-request.ts";
import { runtime } from "../../src/runtime/index.ts";
import { kafkaBootstrap, kafkaCli } from "../support/kafka.ts";
import { adminCall, type KgateProcess, startKgate, waitForLog } from "../support/kgate-process.ts";
import { runKcat } from "../support/vcluster-fixture.ts";

const run = Date.now().toString(36);

interface Created {
  login: string;
  password?: string;
  rotated: boolean;
  clientProperties: string;
}

for (const kgateRuntime of ["bun", "deno"] as const) {
  describe(`SCRAM service accounts (${kgateRuntime})`, () => {
    let kgate: KgateProcess;
    const vc = `vc-scram-${kgateRuntime}-${run}`;
    let account: Created;
    const kafka = (mechanism: "scram-sha-256" | "scram-sha-512", username: string, password: string) =>
      new Kafka({
        clientId: "scram",
        brokers: [kgate.bootstrap],
        sasl: { mechanism, username, password } as SASLOptions,
        logLevel: logLevel.NOTHING,
        retry: { retries: 0 },
      });
    const connect = (mechanism: "SCRAM-SHA-256" | "SCRAM-SHA-512", username: string, password: string) =>
      KafkaConnection.open(runtime, [{ host: "127.0.0.1", port: kgate.port }], { sasl: { mechanism, username, password } });

    beforeAll(async () => {
      kgate = await startKgate({
        runtime: kgateRuntime,
        backing: await kafkaBootstrap(),
        config: { vclusters: [{ name: vc }], limits: { failedAuthenticationDelayMs: 300 } },
      });
      account = await adminCall<Created>(kgate, "POST", `/v1/vclusters/${vc}/service-accounts`, { username: "billing" });
    });
    afterAll(async () => {
      await kgate.stop();
    });

    test("the admin API returns the login, a generated password once, and SCRAM client properties", () => {
      expect(account.login).toBe(`billing@${vc}`);
      expect(account.password!.length).toBeGreaterThanOrEqual(16);
      expect(account.rotated).toBe(false);
      expect(account.clientProperties).toContain("sasl.mechanism=SCRAM-SHA-512");
      expect(account.clientProperties).toContain("ScramLoginModule");
    });

    test("kafkajs logs in with SCRAM-SHA-512 and SCRAM-SHA-256 and sees only its vcluster", async () => {
      const admin = kafka("scram-sha-512", account.login, account.password!).admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic: "ledger", numPartitions: 1 }], waitForLeaders: true });
      expect(await admin.listTopics()).toEqual(["ledger"]);
      await admin.disconnect();
      const admin256 = kafka("scram-sha-256", account.login, account.password!).admin();
      await admin256.connect();
      expect(await admin256.listTopics()).toEqual(["ledger"]);
      await admin256.disconnect();
      expect(await waitForLog(kgate, "via scram")).toContain(`into ${vc} via scram`);
    });

    test("kcat (librdkafka) logs in with SCRAM-SHA-256", async () => {
      const res = await runKcat([
        "-b",
        kgate.bootstrap,
        "-L",
        "-J",
        "-X",
        "security.protocol=SASL_PLAINTEXT",
        "-X",
        "sasl.mechanism=SCRAM-SHA-256",
        "-X",
        `sasl.username=${account.login}`,
        "-X",
        `sasl.password=${account.password}`,
      ]);
      expect(res.code).toBe(0);
      expect((JSON.parse(res.out) as { topics: { topic: string }[] }).topics.map((t) => t.topic)).toEqual(["ledger"]);
    });

    test("the Java tools log in with the client properties as handed out", async () => {
      const props = join(kgate.dir, `scram-${kgateRuntime}.properties`);
      writeFileSync(props, account.clientProperties);
      const res = await kafkaCli("kafka-topics", ["--bootstrap-server", kgate.bootstrap, "--command-config", props, "--list"]);
      expect(res.stdout.split("\n")).toContain("ledger");
    });

    test("a wrong SCRAM password is refused after the failed-login delay", async () => {
      const t0 = performance.now();
      await expect(connect("SCRAM-SHA-512", account.login, "not-the-password-at-all")).rejects.toThrow();
      expect(performance.now() - t0).toBeGreaterThanOrEqual(250);
      expect(await waitForLog(kgate, "wrong password for")).toMatch(/wrong password for \\*"billing/);
    });

    test("rotating the password keeps open connections; the old password no longer logs in", async () => {
      const open = await connect("SCRAM-SHA-512", account.login, account.password!);
      const rotated = await adminCall<Created>(kgate, "POST", `/v1/vclusters/${vc}/service-accounts`, {
        username: "billing",
        password: "a-brand-new-password-1234",
      });
      expect(rotated.rotated).toBe(true);
      expect(rotated.password).toBeUndefined();
      await open.request(3, 12, { ...defaultMetadataRequest(), topics: null }); // still served
      await expect(connect("SCRAM-SHA-512", account.login, account.password!)).rejects.toThrow();
      const fresh = await connect("SCRAM-SHA-256", account.login, "a-brand-new-password-1234");
      fresh.close();
      open.close();
    });

    test("deleting the account closes its connections", async () => {
      const open = await connect("SCRAM-SHA-512", account.login, "a-brand-new-password-1234");
      await adminCall(kgate, "DELETE", `/v1/vclusters/${vc}/service-accounts/billing`);
      for (let i = 0; i < 60 && !open.closed; i++) {
        await open.request(3, 12, { ...defaultMetadataRequest(), topics: null }).catch(() => {});
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(open.closed).toBe(true);
      expect(await waitForLog(kgate, "was removed")).toMatch(/service account \\*"billing\\*" was removed/);
    });
  });
}
