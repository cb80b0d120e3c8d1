// Share groups (KIP-932) inside virtual clusters, kgate under Bun and Deno: the Java console
// share consumer reads through kgate; two tenants' share groups of the same name are two groups
// on the backing cluster, each under its prefix; the tenant's own tools show bare names; and a
// tenant naming another's topic (by backing name or by topic id) gets nothing of it.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { KafkaConnection } from "../../src/client/kafka-connection.ts";
import { ApiKey as API } from "../../src/protocol/messages/api-keys.ts";
import type { ShareFetchResponse } from "../../src/protocol/messages/share-fetch-response.ts";
import { BROKER_FEATURE } from "../support/broker-features.ts";
import { kafkaCli } from "../support/kafka.ts";
import type { KgateProcess, KgateRuntime } from "../support/kgate-process.ts";
import { openTenantPair, type Tenant, type TenantPair } from "../support/tenant-pair.ts";
import { waitFor } from "../support/wait.ts";

function shareGroupsSuite(kgateRuntime: KgateRuntime): void {
  const run = Math.random().toString(36).slice(2, 8);
  let pair: TenantPair;
  let kgate: KgateProcess;
  let bootstrap: string;
  let backing: KafkaConnection;
  let alice: Tenant;
  let bob: Tenant;

  async function topicWithRecords(t: Tenant, topic: string, values: string[]): Promise<void> {
    const admin = t.kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    await admin.disconnect();
    const producer = t.kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: values.map((value) => ({ value })) });
    await producer.disconnect();
  }

  /** The share consumer of the Kafka 4.4 tools, through kgate, until it has read `count` records. */
  async function shareConsume(t: Tenant, group: string, topic: string, count: number): Promise<string[]> {
    // A new share group starts at the log end; the tenant sets its group config through kgate.
    const configured = await kafkaCli("kafka-configs", [
      "--bootstrap-server",
      kgate.bootstrap,
      "--command-config",
      t.propertiesFile,
      "--alter",
      "--entity-type",
      "groups",
      "--entity-name",
      group,
      "--add-config",
      "share.auto.offset.reset=earliest",
    ]);
    expect(configured.code, configured.stderr).toBe(0);
    const res = await kafkaCli("kafka-console-share-consumer", [
      "--bootstrap-server",
      kgate.bootstrap,
      "--command-config",
      t.propertiesFile,
      "--group",
      group,
      "--topic",
      topic,
      "--max-messages",
      String(count),
      "--timeout-ms",
      "60000",
    ], { timeoutMs: 90_000 });
    expect(res.code, res.stderr).toBe(0);
    return res.stdout.split("\n").filter(Boolean);
  }

  beforeAll(async () => {
    pair = await openTenantPair(kgateRuntime, "share", run);
    ({ kgate, bootstrap, backing, alice, bob } = pair);
    await topicWithRecords(alice, "jobs", ["a-0", "a-1", "a-2"]);
    await topicWithRecords(bob, "jobs", ["b-0", "b-1"]);
  }, 60_000);

  afterAll(() => pair?.close());

  test("the console share consumer reads each tenant's own records; the same group name is two prefixed groups on the backing cluster", async () => {
    expect((await shareConsume(alice, "workers", "jobs", 3)).sort()).toEqual(["a-0", "a-1", "a-2"]);
    expect((await shareConsume(bob, "workers", "jobs", 2)).sort()).toEqual(["b-0", "b-1"]);

    // The backing cluster, asked directly: one share group per tenant, each reading its own topic.
    const listed = await kafkaCli("kafka-share-groups", ["--bootstrap-server", bootstrap, "--list"]);
    expect(listed.code, listed.stderr).toBe(0);
    const groups = listed.stdout.split("\n").map((l) => l.trim());
    expect(groups).toContain(`${alice.prefix}workers`);
    expect(groups).toContain(`${bob.prefix}workers`);
    expect(groups).not.toContain("workers");
    const direct = await kafkaCli("kafka-share-groups", ["--bootstrap-server", bootstrap, "--describe", "--group", `${alice.prefix}workers`]);
    expect(direct.code, direct.stderr).toBe(0);
    expect(direct.stdout).toContain(`${alice.prefix}jobs`);
    expect(direct.stdout).not.toContain(bob.prefix);
  }, 240_000);

  test("kafka-share-groups through kgate lists and describes with the tenant's own names only", async () => {
    const listed = await kafkaCli("kafka-share-groups", ["--bootstrap-server", kgate.bootstrap, "--command-config", alice.propertiesFile, "--list"]);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout.split("\n").map((l) => l.trim()).filter(Boolean)).toEqual(["workers"]);
    const described = await kafkaCli("kafka-share-groups", [
      "--bootstrap-server",
      kgate.bootstrap,
      "--command-config",
      alice.propertiesFile,
      "--describe",
      "--group",
      "workers",
    ]);
    expect(described.code, described.stderr).toBe(0);
    expect(described.stdout).toMatch(/\bworkers\s+jobs\s+0\s+/);
    expect(described.stdout).not.toContain("vc-share-");

    // AlterShareGroupOffsets and DeleteShareGroupOffsets through kgate act on the tenant's own group.
    const cli = (...args: string[]) =>
      kafkaCli("kafka-share-groups", ["--bootstrap-server", kgate.bootstrap, "--command-config", alice.propertiesFile, ...args]);
    const reset = await cli("--reset-offsets", "--group", "workers", "--topic", "jobs", "--to-offset", "1", "--execute");
    expect(reset.code, reset.stderr).toBe(0);
    expect(reset.stdout).toMatch(/\bworkers\s+jobs\s+0\s+1\b/);
    const direct = await kafkaCli("kafka-share-groups", ["--bootstrap-server", bootstrap, "--describe", "--group", `${alice.prefix}workers`]);
    expect(direct.stdout).toMatch(new RegExp(`${alice.prefix.replaceAll(".", "\\.")}jobs\\s+0\\s+1\\b`));
    const deleted = await cli("--delete-offsets", "--group", "workers", "--topic", "jobs");
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(deleted.stdout).toContain("jobs");
    expect(deleted.stdout).not.toContain("vc-share-");
    const bobs = await kafkaCli("kafka-share-groups", ["--bootstrap-server", bootstrap, "--describe", "--group", `${bob.prefix}workers`]);
    expect(bobs.stdout).toContain(`${bob.prefix}jobs`); // bob's group of the same name is untouched

    // ListGroups filtered by type "share", on the wire: only the tenant's group, bare.
    const raw = await pair.connect(alice);
    try {
      const res = await raw.request(API.ListGroups, 5, { statesFilter: [], typesFilter: ["share"] });
      expect(res.groups.map((g) => g.groupId)).toEqual(["workers"]);
    } finally {
      raw.close();
    }
  }, 120_000);

  test("attack: a share heartbeat subscribing to another tenant's backing topic, and a ShareFetch by its topic id, get nothing", async () => {
    const meta = await backing.request(API.Metadata, 12, {
      topics: [{ topicId: "0".repeat(32), name: `${bob.prefix}jobs` }],
      allowAutoTopicCreation: false,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    });
    const bobTopicId: string = meta.topics[0]!.topicId;
    const raw = await pair.connect(alice);
    try {
      const memberId = crypto.randomUUID().replaceAll("-", "").slice(0, 22);
      const joined = await raw.request(API.ShareGroupHeartbeat, 1, {
        groupId: `thief-${run}`,
        memberId,
        memberEpoch: 0,
        rackId: null,
        subscribedTopicNames: [`${bob.prefix}jobs`, "jobs"],
      });
      expect(joined.errorCode).toBe(0);
      // The broker assigns only alice's own "jobs"; the backing name stayed inside her prefix.
      const assigned = await waitFor("an assignment", async () => {
        const hb = await raw.request(API.ShareGroupHeartbeat, 1, {
          groupId: `thief-${run}`,
          memberId,
          memberEpoch: joined.memberEpoch,
          rackId: null,
          subscribedTopicNames: null,
        });
        return hb.assignment?.topicPartitions?.length ? hb.assignment.topicPartitions : undefined;
      }, 20_000);
      expect(assigned.map((tp) => tp.topicId)).not.toContain(bobTopicId);
      const described = await raw.request(API.ShareGroupDescribe, 1, { groupIds: [`thief-${run}`], includeAuthorizedOperations: false });
      expect(described.groups[0]!.members[0]!.subscribedTopicNames.sort()).toEqual(["jobs", `${bob.prefix}jobs`].sort());
      expect(described.groups[0]!.members[0]!.assignment.topicPartitions.map((tp) => tp.topicName)).toEqual(["jobs"]);

      // The broker fails a ShareFetch naming an unknown topic id as a whole; bob's id must look
      // exactly like an id that does not exist, and bring no records.
      const shareFetch = (topicId: string) =>
        raw.requestUntyped<ShareFetchResponse>(API.ShareFetch, 1, {
          groupId: `thief-${run}`,
          memberId,
          shareSessionEpoch: 0,
          maxWaitMs: 100,
          minBytes: 1,
          maxBytes: 1 << 20,
          maxRecords: 100,
          batchSize: 100,
          topics: [{ topicId, partitions: [{ partitionIndex: 0, partitionMaxBytes: 0, acknowledgementBatches: [] }] }],
          forgottenTopicsData: [],
        });
      const forBob = await shareFetch(bobTopicId);
      const forNobody = await shareFetch(crypto.randomUUID().replaceAll("-", ""));
      expect(forBob.responses).toEqual([]);
      expect({ ...forBob, throttleTimeMs: 0 }).toEqual({ ...forNobody, throttleTimeMs: 0 });
    } finally {
      raw.close();
    }
  }, 60_000);
}

const supported = await BROKER_FEATURE.shareGroups();

for (const kgateRuntime of ["bun", "deno"] as const) {
  // An older backing broker (npm run test:broker-3.9) has no such groups.
  describe.skipIf(!supported)(`share groups inside vclusters (${kgateRuntime})`, () => shareGroupsSuite(kgateRuntime));
}
