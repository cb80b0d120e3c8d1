// Hardening, data plane: a vcluster's topic policy (partitions per topic and per vcluster,
// allowed configs and ranges, no manual replica assignment) answers POLICY_VIOLATION with the
// limit in the message, per topic; and kgate's own `_kgate*` topics cannot be listed, read,
// written, deleted or configured through kgate, not even by a passthrough client.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Kafka, logLevel } from "kafkajs";
import { KafkaConnection } from "../../src/client/kafka-connection.ts";
import { encodeRecordBatch } from "../../src/client/record-batch.ts";
import { parseHostPort } from "../../src/client/upstream.ts";
import { runtime } from "../../src/runtime/index.ts";
import { kafkaBootstrap, kafkaCli } from "../support/kafka.ts";
import { adminCall, type KgateProcess, startKgate, waitForLog, writeProperties } from "../support/kgate-process.ts";

// deno-lint-ignore no-explicit-any
type Msg = any;

const POLICY_VIOLATION = 44;
const TOPIC_AUTHORIZATION_FAILED = 29;
const ZERO_ID = "0".repeat(32);
const RESOURCE_TOPIC = 2;

const API = {
  Produce: 0,
  Fetch: 1,
  ListOffsets: 2,
  Metadata: 3,
  CreateTopics: 19,
  DeleteTopics: 20,
  DeleteRecords: 21,
  DescribeConfigs: 32,
  AlterConfigs: 33,
  CreatePartitions: 37,
  IncrementalAlterConfigs: 44,
  DescribeTopicPartitions: 75,
} as const;

function metadataBody(topics: Array<{ name: string | null; topicId?: string }> | null) {
  return {
    topics: topics?.map((t) => ({ name: t.name, topicId: t.topicId ?? ZERO_ID })) ?? null,
    allowAutoTopicCreation: false,
    includeClusterAuthorizedOperations: false,
    includeTopicAuthorizedOperations: false,
  };
}

function fetchBody(topic: { name?: string; topicId?: string }) {
  const partition = { partition: 0, currentLeaderEpoch: -1, fetchOffset: 0n, lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes: 1 << 20 };
  return {
    replicaId: -1,
    maxWaitMs: 0,
    minBytes: 0,
    maxBytes: 1 << 20,
    isolationLevel: 0,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [{ topic: topic.name ?? "", topicId: topic.topicId ?? ZERO_ID, partitions: [partition] }],
    forgottenTopicsData: [],
    rackId: "",
  };
}

function produceBody(name: string, value: string) {
  const records = encodeRecordBatch([{ key: new TextEncoder().encode("x"), value: new TextEncoder().encode(value), headers: [] }]);
  return { transactionalId: null, acks: -1, timeoutMs: 10_000, topicData: [{ name, topicId: ZERO_ID, partitionData: [{ index: 0, records }] }] };
}

function createBody(topics: Array<{ name: string; numPartitions?: number; configs?: Record<string, string>; assignments?: number[][] }>, validateOnly = false) {
  return {
    topics: topics.map((t) => ({
      name: t.name,
      numPartitions: t.assignments ? -1 : (t.numPartitions ?? 1),
      replicationFactor: t.assignments ? -1 : 1,
      assignments: (t.assignments ?? []).map((brokerIds, partitionIndex) => ({ partitionIndex, brokerIds })),
      configs: Object.entries(t.configs ?? {}).map(([name, value]) => ({ name, value })),
    })),
    timeoutMs: 30_000,
    validateOnly,
  };
}

const byName = (res: Msg) => new Map<string, Msg>(res.topics.map((t: Msg) => [t.name, t]));

for (const kgateRuntime of ["bun", "deno"] as const) {
  describe(`hardening: topic policy (${kgateRuntime})`, () => {
    const run = Math.random().toString(36).slice(2, 8);
    const VC = `vc-pol-${run}`;
    const OWN = `vc-own-${run}`;
    let kgate: KgateProcess;
    let tenant: KafkaConnection;
    let ownTenant: KafkaConnection;
    let token = "";

    const login = async (vcluster: string) => {
      const issued = await adminCall<{ token: string; clientProperties: string }>(kgate, "POST", `/v1/vclusters/${vcluster}/tokens`, { username: "u" });
      const conn = await KafkaConnection.open(runtime, [{ host: "127.0.0.1", port: kgate.port }], {
        sasl: { mechanism: "PLAIN", username: "u", password: issued.token },
      });
      return { conn, issued };
    };

    beforeAll(async () => {
      kgate = await startKgate({
        runtime: kgateRuntime,
        backing: await kafkaBootstrap(),
        config: {
          // Unauthenticated clients get the passthrough view inside a kgate with tenants.
          listener: { anonymous: "passthrough" },
          topicPolicy: {
            maxPartitionsPerTopic: 4,
            maxPartitionsPerVcluster: 6,
            maxReplicationFactor: 1,
            allowedConfigs: ["cleanup.policy", "retention.ms"],
            configRanges: { "retention.ms": { min: 60_000, max: 86_400_000 } },
          },
        },
      });
      await adminCall(kgate, "PUT", `/v1/vclusters/${VC}`);
      await adminCall(kgate, "PUT", `/v1/vclusters/${OWN}`, { topicPolicy: { maxPartitionsPerTopic: 1, allowedConfigs: null } });
      const a = await login(VC);
      tenant = a.conn;
      token = a.issued.token;
      ownTenant = (await login(OWN)).conn;
    });
    afterAll(async () => {
      tenant?.close();
      ownTenant?.close();
      await kgate?.stop();
    });

    test("too many partitions, a forbidden config, a config out of range: POLICY_VIOLATION per topic, the rest is created", async () => {
      const res: Msg = await tenant.request(
        API.CreateTopics,
        7,
        createBody([
          { name: "wide", numPartitions: 5 },
          { name: "tuned", configs: { "min.insync.replicas": "1" } },
          { name: "forever", configs: { "retention.ms": "-1" } },
          { name: "fine", numPartitions: 2, configs: { "retention.ms": "3600000" } },
        ]),
      );
      const t = byName(res);
      expect(t.get("wide").errorCode).toBe(POLICY_VIOLATION);
      expect(t.get("wide").errorMessage).toContain("maxPartitionsPerTopic");
      expect(t.get("wide").errorMessage).toContain("4");
      expect(t.get("tuned").errorCode).toBe(POLICY_VIOLATION);
      expect(t.get("tuned").errorMessage).toContain("min.insync.replicas");
      expect(t.get("forever").errorCode).toBe(POLICY_VIOLATION);
      expect(t.get("forever").errorMessage).toContain("retention.ms");
      expect(t.get("fine").errorCode).toBe(0);
      const md: Msg = await tenant.request(API.Metadata, 12, metadataBody(null));
      expect(md.topics.map((x: Msg) => x.name).sort()).toEqual(["fine"]);
      const logs = await waitForLog(kgate, `vcluster ${VC}: CreateTopics refused for topic`);
      expect(logs).toMatch(/CreateTopics refused for topic \\?"wide\\?" \(and 2 more\): .*maxPartitionsPerTopic/);
    });

    test("manual replica assignment is refused on CreateTopics and CreatePartitions", async () => {
      const md: Msg = await tenant.request(API.Metadata, 12, metadataBody(null));
      const broker = md.brokers[0].nodeId;
      const res: Msg = await tenant.request(API.CreateTopics, 7, createBody([{ name: "placed", assignments: [[broker]] }]));
      expect(res.topics[0].errorCode).toBe(POLICY_VIOLATION);
      expect(res.topics[0].errorMessage).toContain("assignment");
      const more: Msg = await tenant.request(API.CreatePartitions, 3, {
        topics: [{ name: "fine", count: 3, assignments: [{ brokerIds: [broker] }] }],
        timeoutMs: 30_000,
        validateOnly: false,
      });
      expect(more.results[0].errorCode).toBe(POLICY_VIOLATION);
      expect(more.results[0].errorMessage).toContain("assignment");
    });

    test("the vcluster's partition cap holds across topics, for CreateTopics and CreatePartitions", async () => {
      // "fine" has 2 partitions; the cap is 6.
      const over: Msg = await tenant.request(API.CreateTopics, 7, createBody([{ name: "big", numPartitions: 4 }, { name: "ok3", numPartitions: 3 }]));
      const t = byName(over);
      // 2 + 4 + 3 > 6: the request as a whole would exceed it; the first topic that fits is created.
      expect(t.get("big").errorCode).toBe(0);
      expect(t.get("ok3").errorCode).toBe(POLICY_VIOLATION);
      expect(t.get("ok3").errorMessage).toContain("maxPartitionsPerVcluster");
      const grow: Msg = await tenant.request(API.CreatePartitions, 3, {
        topics: [{ name: "fine", count: 3, assignments: null }],
        timeoutMs: 30_000,
        validateOnly: false,
      });
      expect(grow.results[0].errorCode).toBe(POLICY_VIOLATION);
      expect(grow.results[0].errorMessage).toContain("maxPartitionsPerVcluster");
      const tooWide: Msg = await tenant.request(API.CreatePartitions, 3, {
        topics: [{ name: "big", count: 5, assignments: null }],
        timeoutMs: 30_000,
        validateOnly: false,
      });
      expect(tooWide.results[0].errorCode).toBe(POLICY_VIOLATION);
      expect(tooWide.results[0].errorMessage).toContain("maxPartitionsPerTopic");
      // -1 means the broker's default (num.partitions): counted as what the broker would create.
      const dflt: Msg = await tenant.request(API.CreateTopics, 7, {
        ...createBody([]),
        topics: [{ name: "dflt", numPartitions: -1, replicationFactor: -1, assignments: [], configs: [] }],
      });
      expect(dflt.topics[0].errorCode).toBe(POLICY_VIOLATION);
    });

    test("AlterConfigs and IncrementalAlterConfigs are held to the same configs and ranges", async () => {
      const inc: Msg = await tenant.request(API.IncrementalAlterConfigs, 1, {
        resources: [
          { resourceType: RESOURCE_TOPIC, resourceName: "fine", configs: [{ name: "retention.ms", configOperation: 0, value: "999999999999" }] },
          { resourceType: RESOURCE_TOPIC, resourceName: "big", configs: [{ name: "retention.ms", configOperation: 0, value: "7200000" }] },
        ],
        validateOnly: false,
      });
      const r = new Map<string, Msg>(inc.responses.map((x: Msg) => [x.resourceName, x]));
      expect(r.get("fine").errorCode).toBe(POLICY_VIOLATION);
      expect(r.get("fine").errorMessage).toContain("86400000");
      expect(r.get("big").errorCode).toBe(0);
      const legacy: Msg = await tenant.request(API.AlterConfigs, 1, {
        resources: [{ resourceType: RESOURCE_TOPIC, resourceName: "big", configs: [{ name: "segment.ms", value: "1000" }] }],
        validateOnly: false,
      });
      expect(legacy.responses[0].errorCode).toBe(POLICY_VIOLATION);
      expect(legacy.responses[0].errorMessage).toContain("segment.ms");
    });

    test("kafkajs and the Java CLI see POLICY_VIOLATION", async () => {
      const admin = new Kafka({
        clientId: "policy-kafkajs",
        brokers: [kgate.bootstrap],
        logLevel: logLevel.NOTHING,
        sasl: { mechanism: "plain", username: "u", password: token },
      }).admin();
      await admin.connect();
      try {
        const err: Msg = await admin.createTopics({ topics: [{ topic: "js-wide", numPartitions: 9 }] }).catch((e) => e);
        const types = [err?.type, ...(err?.errors ?? []).map((e: Msg) => e.type)];
        expect(types).toContain("POLICY_VIOLATION");
      } finally {
        await admin.disconnect();
      }
      const issued = await adminCall<{ clientProperties: string }>(kgate, "POST", `/v1/vclusters/${VC}/tokens`, { username: "cli" });
      const props = writeProperties(kgate, `policy-${kgateRuntime}.properties`, issued.clientProperties);
      const cli = await kafkaCli("kafka-topics", [
        "--bootstrap-server",
        kgate.bootstrap,
        "--command-config",
        props,
        "--create",
        "--topic",
        "cli-tuned",
        "--partitions",
        "1",
        "--config",
        "min.insync.replicas=1",
      ]);
      expect(cli.code).not.toBe(0);
      expect(cli.stdout + cli.stderr).toContain("is not allowed in this virtual cluster (allowedConfigs");
    }, 60_000);

    test("a vcluster's own topicPolicy (admin API) overrides the defaults and is shown", async () => {
      const shown = await adminCall<Msg>(kgate, "GET", `/v1/vclusters/${OWN}`);
      expect(shown.topicPolicy).toEqual({ maxPartitionsPerTopic: 1, allowedConfigs: null });
      expect(shown.effectiveTopicPolicy.maxPartitionsPerTopic).toBe(1);
      expect(shown.effectiveTopicPolicy.maxPartitionsPerVcluster).toBe(6);
      const res: Msg = await ownTenant.request(
        API.CreateTopics,
        7,
        createBody([
          { name: "two", numPartitions: 2 },
          { name: "one", numPartitions: 1, configs: { "segment.ms": "3600000" } },
        ]),
      );
      const t = byName(res);
      expect(t.get("two").errorCode).toBe(POLICY_VIOLATION);
      expect(t.get("two").errorMessage).toContain("1");
      // allowedConfigs: null lifts the default allow-list for this vcluster.
      expect(t.get("one").errorCode).toBe(0);
      const bad = await fetch(`${kgate.adminUrl}/v1/vclusters/${OWN}`, {
        method: "PUT",
        headers: { authorization: `Bearer ${kgate.adminToken}`, "content-type": "application/json" },
        body: JSON.stringify({ topicPolicy: { maxPartitionsPerTopic: -3 } }),
      });
      expect(bad.status).toBe(400);
      expect(JSON.stringify(await bad.json())).toContain("maxPartitionsPerTopic");
    });

    test("an anonymous passthrough client (listener.anonymous) does not see kgate's own topics either", async () => {
      // The shared broker holds other kgates' state topics (the suite below creates one per run).
      const direct = await KafkaConnection.open(runtime, [parseHostPort(await kafkaBootstrap())]);
      const anonymous = await KafkaConnection.open(runtime, [{ host: "127.0.0.1", port: kgate.port }]);
      try {
        const all: Msg = await direct.request(API.Metadata, 12, metadataBody(null));
        const internal = all.topics.map((t: Msg) => t.name).filter((n: string) => n.startsWith("_kgate"));
        const seen: Msg = await anonymous.request(API.Metadata, 12, metadataBody(null));
        const names = seen.topics.map((t: Msg) => t.name);
        expect(names).toContain(`${VC}.fine`);
        expect(names.filter((n: string) => n.startsWith("_kgate"))).toEqual([]);
        if (internal.length > 0) {
          const named: Msg = await anonymous.request(API.Metadata, 12, metadataBody([{ name: internal[0] }]));
          expect(named.topics[0].errorCode).toBe(TOPIC_AUTHORIZATION_FAILED);
        }
      } finally {
        direct.close();
        anonymous.close();
      }
    });
  });
}

for (const kgateRuntime of ["bun", "deno"] as const) {
  describe(`hardening: kgate's own topics in passthrough (${kgateRuntime})`, () => {
    const run = Math.random().toString(36).slice(2, 8);
    const STATE = `_kgate_state_policy_${run}`;
    let kgate: KgateProcess;
    let backing: KafkaConnection;
    let client: KafkaConnection;
    let stateId = "";
    let backingAddress = "";

    const stateEnd = async (): Promise<bigint> => {
      const res: Msg = await backing.requestUntyped(API.ListOffsets, 7, {
        replicaId: -1,
        isolationLevel: 0,
        topics: [{ name: STATE, partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1n }] }],
      });
      return res.topics[0].partitions[0].offset;
    };

    const stateStart = async (): Promise<bigint> => {
      const res: Msg = await backing.requestUntyped(API.ListOffsets, 7, {
        replicaId: -1,
        isolationLevel: 0,
        topics: [{ name: STATE, partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -2n }] }],
      });
      return res.topics[0].partitions[0].offset;
    };

    beforeAll(async () => {
      backingAddress = await kafkaBootstrap();
      // No vclusters: the transparent first run, with the store in a topic of the backing cluster.
      kgate = await startKgate({
        runtime: kgateRuntime,
        backing: backingAddress,
        config: { store: { type: "kafka", topic: STATE }, auth: { tokenSecret: "a-token-secret-of-at-least-32-characters!" } },
      });
      backing = await KafkaConnection.open(runtime, [parseHostPort(backingAddress)]);
      const md: Msg = await backing.request(API.Metadata, 12, metadataBody([{ name: STATE }]));
      expect(md.topics[0].errorCode).toBe(0);
      stateId = md.topics[0].topicId;
      client = await KafkaConnection.open(runtime, [{ host: "127.0.0.1", port: kgate.port }]);
    });
    afterAll(async () => {
      client?.close();
      backing?.close();
      await kgate?.stop();
    });

    test("Metadata and DescribeTopicPartitions do not list it; asked for by name or id it is refused", async () => {
      const all: Msg = await client.request(API.Metadata, 12, metadataBody(null));
      const names: string[] = all.topics.map((t: Msg) => t.name);
      expect(names.length).toBeGreaterThan(0);
      expect(names.filter((n) => n.startsWith("_kgate"))).toEqual([]);
      expect(all.topics.map((t: Msg) => t.topicId)).not.toContain(stateId);
      // Filtered and still address-rewritten: the brokers are kgate's ports, not the backing ones.
      expect(all.brokers.map((b: Msg) => b.port)).not.toContain(parseHostPort(backingAddress).port);
      const named: Msg = await client.request(API.Metadata, 12, metadataBody([{ name: STATE }]));
      expect(named.topics[0].errorCode).toBe(TOPIC_AUTHORIZATION_FAILED);
      expect(named.topics[0].partitions).toEqual([]);
      expect(named.topics[0].topicId).toBe(ZERO_ID);
      const byId: Msg = await client.request(API.Metadata, 12, metadataBody([{ name: null, topicId: stateId }]));
      expect(byId.topics[0].errorCode).not.toBe(0);
      expect(byId.topics[0].name ?? "").not.toContain("_kgate");
      expect(byId.topics[0].partitions).toEqual([]);
      const dtp: Msg = await client.request(API.DescribeTopicPartitions, 0, { topics: [], responsePartitionLimit: 2000, cursor: null });
      expect(dtp.topics.map((t: Msg) => t.name).filter((n: string) => n.startsWith("_kgate"))).toEqual([]);
    });

    test("Fetch by name and by topic id gets no records", async () => {
      const byName: Msg = await client.request(API.Fetch, 12, fetchBody({ name: STATE }));
      expect(byName.responses[0].partitions[0].errorCode).toBe(TOPIC_AUTHORIZATION_FAILED);
      expect(byName.responses[0].partitions[0].records?.length ?? 0).toBe(0);
      const byId: Msg = await client.request(API.Fetch, 13, fetchBody({ topicId: stateId }));
      expect(byId.responses[0].topicId).toBe(stateId);
      expect(byId.responses[0].partitions[0].errorCode).toBe(TOPIC_AUTHORIZATION_FAILED);
      expect(byId.responses[0].partitions[0].records?.length ?? 0).toBe(0);
    });

    test("Produce, DeleteRecords, DeleteTopics, CreateTopics and config changes do not reach it", async () => {
      const before = await stateEnd();
      const produced: Msg = await client.request(API.Produce, 9, produceBody(STATE, "not-a-state-record"));
      expect(produced.responses[0].partitionResponses[0].errorCode).toBe(TOPIC_AUTHORIZATION_FAILED);
      const truncated: Msg = await client.request(API.DeleteRecords, 2, {
        topics: [{ name: STATE, partitions: [{ partitionIndex: 0, offset: -1n }] }],
        timeoutMs: 10_000,
      });
      expect(truncated.topics[0].partitions[0].errorCode).toBe(TOPIC_AUTHORIZATION_FAILED);
      const delByName: Msg = await client.requestUntyped(API.DeleteTopics, 5, { topicNames: [STATE], timeoutMs: 10_000 });
      expect(delByName.responses[0].errorCode).toBe(TOPIC_AUTHORIZATION_FAILED);
      const delById: Msg = await client.requestUntyped(API.DeleteTopics, 6, { topics: [{ name: null, topicId: stateId }], timeoutMs: 10_000 });
      expect(delById.responses[0].errorCode).toBe(TOPIC_AUTHORIZATION_FAILED);
      const alter: Msg = await client.request(API.IncrementalAlterConfigs, 1, {
        resources: [{ resourceType: RESOURCE_TOPIC, resourceName: STATE, configs: [{ name: "retention.ms", configOperation: 0, value: "1000" }] }],
        validateOnly: false,
      });
      expect(alter.responses[0].errorCode).toBe(TOPIC_AUTHORIZATION_FAILED);
      const described: Msg = await client.request(API.DescribeConfigs, 4, {
        resources: [{ resourceType: RESOURCE_TOPIC, resourceName: STATE, configurationKeys: null }],
        includeSynonyms: false,
        includeDocumentation: false,
      });
      expect(described.results[0].errorCode).toBe(TOPIC_AUTHORIZATION_FAILED);
      expect(described.results[0].configs).toEqual([]);
      const created: Msg = await client.request(API.CreateTopics, 7, createBody([{ name: `_kgate_squat_${run}` }]));
      expect(created.topics[0].errorCode).toBe(TOPIC_AUTHORIZATION_FAILED);
      // Straight from the broker: still there, nothing appended or truncated, not created.
      expect(await stateEnd()).toBe(before);
      expect(await stateStart()).toBe(0n);
      const md: Msg = await backing.request(API.Metadata, 12, metadataBody([{ name: STATE }, { name: `_kgate_squat_${run}` }]));
      expect(md.topics[0].errorCode).toBe(0);
      expect(md.topics[0].topicId).toBe(stateId);
      expect(md.topics[1].errorCode).toBe(3);
      expect(await waitForLog(kgate, `Produce naming kgate's internal topic ${STATE}`)).toContain(`DeleteTopics naming kgate's internal topic id ${stateId}`);
      // Other topics of the backing cluster still work through the same connection.
      const ok: Msg = await client.request(API.Metadata, 12, metadataBody([{ name: "__consumer_offsets" }]));
      expect(ok.topics[0].errorCode).toBe(0);
    });
  });
}
