// Listener options for clients that do not authenticate: a listener pinned to one vcluster, and
// an explicit anonymous passthrough view; /metrics counts requests per vcluster.
import { afterAll, describe, expect, test } from "bun:test";
import { Kafka, logLevel } from "kafkajs";
import { kafkaBootstrap, kafkaCli } from "../support/kafka.ts";
import { adminCall, type KgateProcess, startKgate, waitForLog } from "../support/kgate-process.ts";

const run = Date.now().toString(36);
const started: KgateProcess[] = [];
afterAll(async () => {
  for (const k of started) await k.stop();
});

async function kgateWith(config: Record<string, unknown>): Promise<KgateProcess> {
  const k = await startKgate({ backing: await kafkaBootstrap(), config });
  started.push(k);
  return k;
}

const anonymous = (k: KgateProcess) => new Kafka({ clientId: "anon", brokers: [k.bootstrap], logLevel: logLevel.NOTHING });

describe("listener modes", () => {
  test("a listener pinned to a vcluster serves clients without SASL inside that vcluster", async () => {
    const vc = `vc-pin-${run}`;
    const k = await kgateWith({ listener: { host: "127.0.0.1", advertisedHost: "127.0.0.1", pinnedVcluster: vc }, vclusters: [{ name: vc }] });
    const admin = anonymous(k).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: "pinned-orders", numPartitions: 1 }], waitForLeaders: true });
    expect(await admin.listTopics()).toEqual(["pinned-orders"]);
    await admin.disconnect();
    const direct = await kafkaCli("kafka-topics", ["--bootstrap-server", await kafkaBootstrap(), "--list"]);
    expect(direct.stdout.split("\n")).toContain(`${vc}.pinned-orders`);
    const metrics = await fetch(`${k.adminUrl}/metrics`, { headers: { authorization: `Bearer ${k.adminToken}` } }).then((r) => r.text());
    expect(metrics).toMatch(new RegExp(`kgate_requests_total\\{[^}]*vcluster="${vc}"[^}]*\\} [1-9]`));
  });

  test("anonymous: passthrough gives unauthenticated clients the backing view while tenants stay isolated", async () => {
    const vc = `vc-anon-${run}`;
    const k = await kgateWith({ listener: { host: "127.0.0.1", advertisedHost: "127.0.0.1", anonymous: "passthrough" }, vclusters: [{ name: vc }] });
    const { token } = await adminCall<{ token: string }>(k, "POST", `/v1/vclusters/${vc}/tokens`, { username: "t" });
    const tenant = new Kafka({
      clientId: "t",
      brokers: [k.bootstrap],
      sasl: { mechanism: "plain", username: "t", password: token },
      logLevel: logLevel.NOTHING,
    });
    const tAdmin = tenant.admin();
    await tAdmin.connect();
    await tAdmin.createTopics({ topics: [{ topic: "mine", numPartitions: 1 }], waitForLeaders: true });
    expect(await tAdmin.listTopics()).toEqual(["mine"]);
    await tAdmin.disconnect();
    const aAdmin = anonymous(k).admin();
    await aAdmin.connect();
    expect(await aAdmin.listTopics()).toContain(`${vc}.mine`);
    await aAdmin.disconnect();
  });

  test("without anonymous access, an unauthenticated client is refused once tenants exist", async () => {
    const vc = `vc-closed-${run}`;
    const k = await kgateWith({ vclusters: [{ name: vc }] });
    const kafka = new Kafka({ clientId: "anon", brokers: [k.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 } });
    const admin = kafka.admin();
    await expect(admin.connect().then(() => admin.listTopics())).rejects.toThrow();
    await admin.disconnect().catch(() => {});
    expect(await waitForLog(k, "authentication required")).toContain("authentication required");
  });
});
