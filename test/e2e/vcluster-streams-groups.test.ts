// Streams groups (KIP-1071) inside virtual clusters, kgate under Bun and Deno: a Kafka Streams
// 4.4 application with group.protocol=streams counts words through kgate; the broker creates its
// internal topics (named after the application id, which is the prefixed group id) under the
// tenant's prefix; the tenant's tools show bare names; another tenant sees none of it, and a
// heartbeat whose topology names that tenant's backing topics or a catch-all regex gets nothing.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { KafkaConnection } from "../../src/client/kafka-connection.ts";
import { ErrorCode } from "../../src/protocol/error-codes.ts";
import { ApiKey } from "../../src/protocol/messages/api-keys.ts";
import type { Subtopology, TopicInfo } from "../../src/protocol/messages/streams-group-heartbeat-request.ts";
import { runtime } from "../../src/runtime/index.ts";
import { type JavaProgram, javaProgram } from "../support/java-program.ts";
import { BROKER_FEATURE } from "../support/broker-features.ts";
import { kafkaCli } from "../support/kafka.ts";
import { adminCall, type KgateProcess, type KgateRuntime } from "../support/kgate-process.ts";
import { openTenantPair, type Tenant, type TenantPair } from "../support/tenant-pair.ts";

const API = ApiKey;
const GROUP_ID_NOT_FOUND = ErrorCode.GROUP_ID_NOT_FOUND;
const WORDS = ["apple", "pear", "apple", "fig", "pear", "apple", "fig", "apple", "pear", "apple", "kiwi", "fig"];
const COUNTS = "COUNTS apple=5,fig=3,kiwi=1,pear=3";

function streamsSuite(kgateRuntime: KgateRuntime): void {
  const run = Math.random().toString(36).slice(2, 8);
  let pair: TenantPair;
  let kgate: KgateProcess;
  let bootstrap: string;
  let backing: KafkaConnection;
  let app: JavaProgram;
  let alice: Tenant;
  let bob: Tenant;

  async function backingTopics(): Promise<string[]> {
    const res = await backing.request(API.Metadata, 12, {
      topics: null,
      allowAutoTopicCreation: false,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    });
    return res.topics.map((t) => t.name as string);
  }

  beforeAll(async () => {
    app = await javaProgram("StreamsGroupCount.java", "kafka-streams-4.4.0", [{ group: "org.apache.kafka", artifact: "kafka-streams", version: "4.4.0" }]);
    pair = await openTenantPair(kgateRuntime, "streams", run);
    ({ kgate, bootstrap, backing, alice, bob } = pair);
    const admin = alice.kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: "words", numPartitions: 2 }, { topic: "counts", numPartitions: 2 }], waitForLeaders: true });
    await admin.disconnect();
    const producer = alice.kafka.producer();
    await producer.connect();
    await producer.send({ topic: "words", messages: WORDS.map((value, i) => ({ key: `k${i}`, value })) });
    await producer.disconnect();
  }, 600_000);

  afterAll(() => pair?.close());

  test("a Streams app with group.protocol=streams counts through kgate; its group and internal topics are prefixed on the backing cluster", async () => {
    const res = await app.run([], {
      env: {
        BOOTSTRAP: kgate.bootstrap,
        USER: alice.user,
        PASSWORD: alice.token,
        APP: "wordcount",
        IN: "words",
        OUT: "counts",
        EXPECT: String(WORDS.length),
        STATE_DIR: join(kgate.dir, "streams-state"),
      },
    });
    expect(res.stdout, res.stderr.slice(-4000)).toContain(COUNTS);
    expect(res.code).toBe(0);

    const topics = await backingTopics();
    const internal = topics.filter((t) => t.startsWith(`${alice.prefix}wordcount-`)).sort();
    expect(internal).toEqual([`${alice.prefix}wordcount-rekey-repartition`, `${alice.prefix}wordcount-word-counts-changelog`]);
    // (other test runs on a shared broker may hold wordcount-… topics of their own)
    expect(topics).not.toContain("wordcount-rekey-repartition");
    expect(topics).not.toContain("wordcount-word-counts-changelog");

    const listed = await kafkaCli("kafka-streams-groups", ["--bootstrap-server", bootstrap, "--list"]);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout.split("\n").map((l) => l.trim())).toContain(`${alice.prefix}wordcount`);
  }, 300_000);

  test("kafka-streams-groups through kgate shows the tenant's group with bare names; another tenant sees none of it", async () => {
    // The coordinator is one of kgate's ports, never the broker's own address.
    const described = await kafkaCli("kafka-streams-groups", [
      "--bootstrap-server",
      kgate.bootstrap,
      "--command-config",
      alice.propertiesFile,
      "--describe",
      "--group",
      "wordcount",
      "--state",
    ]);
    expect(described.code, described.stderr).toBe(0);
    expect(described.stdout).toMatch(/^wordcount\s+127\.0\.0\.1:\d+ \(\d+\)\s+\S+\s+(Empty|Stable)\s+[01]\s*$/m);
    expect(described.stdout).not.toContain(bootstrap);
    expect(described.stdout).not.toContain("vc-streams-");
    // The group committed its progress on the source topic under its bare names.
    const offsetsAdmin = alice.kafka.admin();
    await offsetsAdmin.connect();
    const [committed] = await offsetsAdmin.fetchOffsets({ groupId: "wordcount", topics: ["words"] });
    await offsetsAdmin.disconnect();
    expect(committed!.partitions.reduce((sum, p) => sum + Number(p.offset), 0)).toBe(WORDS.length);
    const raw = await pair.connect(alice);
    try {
      const res = await raw.request(API.StreamsGroupDescribe, 0, {
        groupIds: ["wordcount"],
        includeAuthorizedOperations: false,
        includeTopologyDescription: false,
      });
      const group = res.groups[0]!;
      expect(group.groupId).toBe("wordcount");
      const sub = group.topology!.subtopologies!.flatMap((
        s,
      ) => [...s.sourceTopics, ...s.repartitionSinkTopics, ...s.stateChangelogTopics.map((t) => t.name), ...s.repartitionSourceTopics.map((t) => t.name)]);
      expect([...new Set(sub)].sort()).toEqual(["wordcount-rekey-repartition", "wordcount-word-counts-changelog", "words"]);
    } finally {
      raw.close();
    }

    const bobsTopics = await bob.kafka.admin();
    await bobsTopics.connect();
    expect(await bobsTopics.listTopics()).toEqual([]);
    await bobsTopics.disconnect();
    const bobsGroups = await kafkaCli("kafka-streams-groups", ["--bootstrap-server", kgate.bootstrap, "--command-config", bob.propertiesFile, "--list"]);
    expect(bobsGroups.code, bobsGroups.stderr).toBe(0);
    expect(bobsGroups.stdout.trim()).toBe("");
    const bobRaw = await pair.connect(bob);
    try {
      for (const groupId of ["wordcount", `${alice.prefix}wordcount`]) {
        const res = await bobRaw.request(API.StreamsGroupDescribe, 0, {
          groupIds: [groupId],
          includeAuthorizedOperations: false,
          includeTopologyDescription: false,
        });
        // Not found, as for any group bob does not have; alice's backing name is only echoed back.
        expect(res.groups[0]!.errorCode).toBe(GROUP_ID_NOT_FOUND);
        expect(res.groups[0]!.groupId).toBe(groupId);
        expect(res.groups[0]!.topology).toBeNull();
      }
    } finally {
      bobRaw.close();
    }
  }, 120_000);

  test("attack: a streams heartbeat naming another tenant's backing topics, or a catch-all regex, gets nothing of them", async () => {
    const before = await backingTopics();
    const raw = await pair.connect(bob);
    try {
      const heartbeat = (groupId: string, subtopology: Pick<Subtopology, "sourceTopics"> & Partial<Subtopology>) =>
        raw.request(API.StreamsGroupHeartbeat, 0, {
          groupId,
          memberId: crypto.randomUUID(),
          memberEpoch: 0,
          endpointInformationEpoch: 0,
          instanceId: null,
          rackId: null,
          rebalanceTimeoutMs: 10_000,
          topology: {
            epoch: 0,
            subtopologies: [{
              subtopologyId: "0",
              sourceTopicRegex: [],
              stateChangelogTopics: [],
              repartitionSinkTopics: [],
              repartitionSourceTopics: [],
              copartitionGroups: [],
              ...subtopology,
            }],
          },
          activeTasks: [],
          standbyTasks: [],
          warmupTasks: [],
          processId: crypto.randomUUID(),
          userEndpoint: null,
          clientTags: [],
          taskOffsets: [],
          taskEndOffsets: [],
          shutdownApplication: false,
        });
      // alice's backing names, as source and internal topics of bob's own application
      const named = await heartbeat(`steal-${run}`, {
        sourceTopics: [`${alice.prefix}words`],
        stateChangelogTopics: [{ name: `${alice.prefix}wordcount-word-counts-changelog`, partitions: 0, replicationFactor: 0, topicConfigs: [] }],
      });
      expect(named.errorCode).toBe(0);
      expect(named.activeTasks ?? []).toEqual([]);
      // The broker finds no such source topic: the name stayed inside bob's prefix. Its detail
      // names that topic with alice's prefix inside bob's: kgate withholds it whole.
      const MISSING_SOURCE_TOPICS = 1;
      expect((named.status ?? []).map((s) => s.statusCode)).toContain(MISSING_SOURCE_TOPICS);
      const details = (named.status ?? []).map((s) => s.statusDetail).join(" ");
      expect(details).not.toContain(bob.prefix);
      expect(details).not.toContain(alice.prefix);

      const regex = await heartbeat(`regex-${run}`, { sourceTopics: [], sourceTopicRegex: [".*"] });
      expect(regex.activeTasks ?? []).toEqual([]);
      expect(JSON.stringify(regex, (_k, v) => (typeof v === "bigint" ? String(v) : v))).not.toContain(alice.prefix);

      const res = await raw.request(API.ListGroups, 5, { statesFilter: [], typesFilter: ["streams"] });
      expect(res.groups.map((g) => g.groupId).sort()).toEqual([`steal-${run}`].concat(regex.errorCode === 0 ? [`regex-${run}`] : []).sort());
    } finally {
      raw.close();
    }
    const after = await backingTopics();
    const created = after.filter((t) => !before.includes(t));
    for (const t of created) expect(t.startsWith(bob.prefix)).toBe(true);
    expect(after.filter((t) => t.startsWith(alice.prefix)).sort()).toEqual(before.filter((t) => t.startsWith(alice.prefix)).sort());
  }, 60_000);

  test("a topology whose internal topics break the tenant's topic policy is refused; the broker creates none of them", async () => {
    const name = `vc-streams-policy-${run}`;
    await adminCall(kgate, "PUT", `/v1/vclusters/${name}`, { topicPolicy: { maxPartitionsPerTopic: 4, allowedConfigs: ["cleanup.policy"] } });
    const issued = await adminCall<{ token: string }>(kgate, "POST", `/v1/vclusters/${name}/tokens`, { username: "carol" });
    const carol = await KafkaConnection.open(runtime, [{ host: "127.0.0.1", port: kgate.port }], {
      sasl: { mechanism: "PLAIN", username: "carol", password: issued.token },
      clientId: "streams-policy",
    });
    try {
      // The source topic exists: without the policy the broker would go on to create the internal topics.
      const created = await carol.request(API.CreateTopics, 7, {
        topics: [{ name: "in", numPartitions: 2, replicationFactor: -1, assignments: [], configs: [] }],
        timeoutMs: 30_000,
        validateOnly: false,
      });
      expect(created.topics[0]!.errorCode).toBe(0);
      const heartbeat = (changelog: TopicInfo, repartition: TopicInfo) =>
        carol.request(API.StreamsGroupHeartbeat, 0, {
          groupId: "app",
          memberId: crypto.randomUUID(),
          memberEpoch: 0,
          endpointInformationEpoch: 0,
          instanceId: null,
          rackId: null,
          rebalanceTimeoutMs: 10_000,
          topology: {
            epoch: 0,
            subtopologies: [{
              subtopologyId: "0",
              sourceTopics: ["in"],
              sourceTopicRegex: [],
              stateChangelogTopics: [changelog],
              repartitionSinkTopics: [],
              repartitionSourceTopics: [repartition],
              copartitionGroups: [],
            }],
          },
          activeTasks: [],
          standbyTasks: [],
          warmupTasks: [],
          processId: crypto.randomUUID(),
          userEndpoint: null,
          clientTags: [],
          taskOffsets: [],
          taskEndOffsets: [],
          shutdownApplication: false,
        });
      const topic = (n: string, partitions: number, configs: Record<string, string>) => ({
        name: n,
        partitions,
        replicationFactor: 0,
        topicConfigs: Object.entries(configs).map(([key, value]) => ({ key, value })),
      });
      const badConfig = await heartbeat(
        topic("app-store-changelog", 0, { "cleanup.policy": "compact", "min.insync.replicas": "1" }),
        topic("app-x-repartition", 2, {}),
      );
      expect(badConfig.errorCode).toBe(ErrorCode.POLICY_VIOLATION);
      expect(badConfig.errorMessage).toContain('Config "min.insync.replicas" is not allowed');
      const tooWide = await heartbeat(topic("app-store-changelog", 0, { "cleanup.policy": "compact" }), topic("app-x-repartition", 64, {}));
      expect(tooWide.errorCode).toBe(ErrorCode.POLICY_VIOLATION);
      expect(tooWide.errorMessage).toContain("maxPartitionsPerTopic");
    } finally {
      carol.close();
    }
    await new Promise((r) => setTimeout(r, 1000));
    expect((await backingTopics()).filter((t) => t.startsWith(`${name}.`))).toEqual([`${name}.in`]);
  }, 60_000);
}

const supported = await BROKER_FEATURE.streamsGroups();

for (const kgateRuntime of ["bun", "deno"] as const) {
  // An older backing broker (npm run test:broker-3.9) has no such groups.
  describe.skipIf(!supported)(`streams groups inside vclusters (${kgateRuntime})`, () => streamsSuite(kgateRuntime));
}
