// The audit trail, with kgate under Bun and Deno: admin API changes, logins (success and failure)
// and topic changes inside a vcluster each produce one JSON event, in a file and in a `_kgate*`
// topic on the backing cluster; no client reaches that topic through kgate, passthrough included.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Kafka, logLevel } from "kafkajs";
import { kafkaBootstrap } from "../support/kafka.ts";
import { adminCall, type KgateProcess, startKgate } from "../support/kgate-process.ts";
import { runKcat } from "../support/vcluster-fixture.ts";
import { waitFor } from "../support/wait.ts";

const run = Date.now().toString(36);

interface Event {
  time: string;
  actor: string;
  vcluster?: string;
  action: string;
  resource?: string;
  outcome: "success" | "failure";
  detail?: string;
  requestId?: string;
}

for (const kgateRuntime of ["bun", "deno"] as const) {
  describe(`audit trail (${kgateRuntime})`, () => {
    let kgate: KgateProcess;
    let backing = "";
    const vc = `vc-audit-${kgateRuntime}-${run}`;
    const topic = `_kgate_audit_${kgateRuntime}_${run}`;
    const auditFile = join(mkdtempSync(join(tmpdir(), "kgate-audit-")), "audit.jsonl");
    const file = () => auditFile;
    const events = () => readFileSync(file(), "utf8").trim().split("\n").filter(Boolean).map((l) => JSON.parse(l) as Event);
    const find = (pred: (e: Event) => boolean) =>
      waitFor("an audit event", async () => {
        try {
          return events().find(pred);
        } catch {
          return undefined;
        }
      }, 10_000);

    beforeAll(async () => {
      backing = await kafkaBootstrap();
      kgate = await startKgate({
        runtime: kgateRuntime,
        backing,
        config: { listener: { host: "127.0.0.1", advertisedHost: "127.0.0.1", anonymous: "passthrough" }, audit: { file: auditFile, topic } },
      });
    });
    afterAll(async () => {
      await kgate.stop();
    });

    test("admin changes, logins and topic changes are audited in the file, each once", async () => {
      await adminCall(kgate, "PUT", `/v1/vclusters/${vc}`);
      const { token } = await adminCall<{ token: string }>(kgate, "POST", `/v1/vclusters/${vc}/tokens`, { username: "alice" });
      const put = await find((e) => e.action === "admin PUT /v1/vclusters/:name" && e.vcluster === vc);
      expect(put).toMatchObject({ actor: "admin", outcome: "success", detail: "HTTP 201" });
      expect(put.requestId).toBeTruthy();

      const kafka = new Kafka({
        clientId: "audit",
        brokers: [kgate.bootstrap],
        sasl: { mechanism: "plain", username: "alice", password: token },
        logLevel: logLevel.NOTHING,
      });
      const admin = kafka.admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic: "audited", numPartitions: 1 }], waitForLeaders: true });
      await admin.createTopics({ topics: [{ topic: "audited", numPartitions: 1 }] }).catch(() => {}); // exists: a failure
      await admin.alterConfigs({ validateOnly: false, resources: [{ type: 2, name: "audited", configEntries: [{ name: "retention.ms", value: "3600000" }] }] });
      await admin.deleteTopics({ topics: ["audited"] });
      await admin.disconnect();
      const bad = new Kafka({
        clientId: "audit-bad",
        brokers: [kgate.bootstrap],
        sasl: { mechanism: "plain", username: "alice", password: `${token}x` },
        logLevel: logLevel.NOTHING,
        retry: { retries: 0 },
      });
      await expect(bad.admin().connect()).rejects.toThrow();

      const login = await find((e) => e.action === "login" && e.outcome === "success" && e.actor === "alice");
      expect(login).toMatchObject({ vcluster: vc, detail: "token" });
      const failed = await find((e) => e.action === "login" && e.outcome === "failure");
      expect(failed.actor).toBe("alice");
      const created = await find((e) => e.action === "topic.create" && e.outcome === "success");
      expect(created).toMatchObject({ actor: "alice", vcluster: vc, resource: "audited" }); // the tenant's own name
      expect(await find((e) => e.action === "topic.create" && e.outcome === "failure")).toMatchObject({
        detail: expect.stringMatching(/TOPIC_ALREADY_EXISTS|error code 36/),
      });
      expect(await find((e) => e.action === "topic.config")).toMatchObject({ resource: "audited", outcome: "success" });
      expect(await find((e) => e.action === "topic.delete")).toMatchObject({ resource: "audited", outcome: "success" });
      expect(events().filter((e) => e.action === "topic.delete")).toHaveLength(1);
    });

    test("the same events are records of the audit topic, which no client reaches through kgate", async () => {
      const read = await waitFor("audit records on the backing cluster", async () => {
        const res = await runKcat(["-b", backing, "-C", "-t", topic, "-o", "beginning", "-e", "-q"]);
        const lines = res.out.trim().split("\n").filter(Boolean);
        return lines.some((l) => l.includes('"topic.delete"')) ? lines : undefined;
      }, 15_000);
      expect(read.map((l) => (JSON.parse(l) as Event).action)).toContain("login");
      // A passthrough client (listener.anonymous: passthrough) sees the whole backing cluster but this topic.
      const anon = new Kafka({ clientId: "anon", brokers: [kgate.bootstrap], logLevel: logLevel.NOTHING }).admin();
      await anon.connect();
      expect(await anon.listTopics()).not.toContain(topic);
      await anon.disconnect();
      const fetched = await runKcat(["-b", kgate.bootstrap, "-C", "-t", topic, "-o", "beginning", "-e", "-q"], undefined, 8000);
      expect(fetched.out).not.toContain("topic.delete");
    });
  });
}
