// The isolation suite: two tenants on one kgate and one real broker. Bob owns a topic (with
// records, configs and a topic id), a classic group with committed offsets and a live member,
// a KIP-848 group, a share group, a streams group and an ongoing transaction. Alice, with kgate's own client and raw requests,
// tries to reach every one of them through every API key offered inside a virtual cluster —
// by name, by topic id, by regex, by coordinator key and by config resource — and must get the
// answer for a resource that does not exist in her cluster, never bob's data. Every response
// alice gets is scanned for bob's names, ids, member ids, records and for backing addresses.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { KafkaConnection } from "../../src/client/kafka-connection.ts";
import { encodeRecordBatch } from "../../src/client/record-batch.ts";
import { parseHostPort } from "../../src/client/upstream.ts";
import { plainClientMessage } from "../../src/sasl/plain.ts";
import { ErrorCode } from "../../src/protocol/error-codes.ts";
import { API_LIST, apiSpec } from "../../src/protocol/registry.ts";
import { runtime } from "../../src/runtime/index.ts";
import { offeredApiKeys, offeredVersions } from "../../src/vcluster/allowed-apis.ts";
import { BROKER_FEATURE } from "../support/broker-features.ts";
import { kafkaBootstrap } from "../support/kafka.ts";
import { adminCall, type KgateProcess, type KgateRuntime, startKgate, waitForLog } from "../support/kgate-process.ts";
import { waitFor } from "../support/wait.ts";

// deno-lint-ignore no-explicit-any
type Msg = any;

const API = {
  Produce: 0, Fetch: 1, ListOffsets: 2, Metadata: 3, OffsetCommit: 8, OffsetFetch: 9, FindCoordinator: 10,
  JoinGroup: 11, Heartbeat: 12, LeaveGroup: 13, SyncGroup: 14, DescribeGroups: 15, ListGroups: 16,
  SaslHandshake: 17, ApiVersions: 18, CreateTopics: 19, DeleteTopics: 20, DeleteRecords: 21, InitProducerId: 22,
  OffsetForLeaderEpoch: 23, AddPartitionsToTxn: 24, AddOffsetsToTxn: 25, EndTxn: 26, TxnOffsetCommit: 28,
  DescribeConfigs: 32, AlterConfigs: 33, DescribeLogDirs: 35, SaslAuthenticate: 36, CreatePartitions: 37,
  DeleteGroups: 42, IncrementalAlterConfigs: 44, ListPartitionReassignments: 46, OffsetDelete: 47,
  DescribeCluster: 60, DescribeProducers: 61, DescribeTransactions: 65, ListTransactions: 66,
  ConsumerGroupHeartbeat: 68, ConsumerGroupDescribe: 69, GetTelemetrySubscriptions: 71, PushTelemetry: 72,
  DescribeTopicPartitions: 75, DescribeAcls: 29, CreateAcls: 30, DeleteAcls: 31,
  ShareGroupHeartbeat: 76, ShareGroupDescribe: 77, ShareFetch: 78, ShareAcknowledge: 79,
  StreamsGroupHeartbeat: 88, StreamsGroupDescribe: 89, DescribeShareGroupOffsets: 90, AlterShareGroupOffsets: 91,
  DeleteShareGroupOffsets: 92, StreamsGroupTopologyDescriptionUpdate: 93,
} as const;

/** Broker error codes alice is expected to get (org.apache.kafka.common.protocol.Errors). */
const E = {
  NONE: 0,
  UNKNOWN_TOPIC_OR_PARTITION: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  INVALID_TOPIC_EXCEPTION: ErrorCode.INVALID_TOPIC_EXCEPTION,
  ILLEGAL_GENERATION: 22,
  UNKNOWN_MEMBER_ID: 25,
  CLUSTER_AUTHORIZATION_FAILED: ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
  INVALID_PRODUCER_EPOCH: 47,
  INVALID_PRODUCER_ID_MAPPING: 49,
  OPERATION_NOT_ATTEMPTED: 55,
  PRODUCER_FENCED: 90,
  SASL_AUTHENTICATION_FAILED: ErrorCode.SASL_AUTHENTICATION_FAILED,
  GROUP_ID_NOT_FOUND: 69,
  MEMBER_ID_REQUIRED: 79,
  UNKNOWN_TOPIC_ID: ErrorCode.UNKNOWN_TOPIC_ID,
  TRANSACTIONAL_ID_NOT_FOUND: 105,
  INVALID_REGULAR_EXPRESSION: ErrorCode.INVALID_REGULAR_EXPRESSION,
} as const;

// What the backing broker serves: Kafka 3.9 (npm run test:broker-3.9) has no KIP-848 groups
// (it advertises ConsumerGroupHeartbeat v0 but refuses it), no group configs, and no share or
// streams groups; the suite attacks what the broker has.
const KAFKA4_GROUPS = await BROKER_FEATURE.consumerGroupRegex();
const SHARE_AND_STREAMS = (await BROKER_FEATURE.shareGroups()) && (await BROKER_FEATURE.streamsGroups());

const ZERO_ID = "0".repeat(32);
const RESOURCE_TOPIC = 2;
const RESOURCE_BROKER = 4;
const RESOURCE_BROKER_LOGGER = 8;
const RESOURCE_GROUP = 32;

// Fresh names for each run of the suite (it runs once per runtime).
let run = "";
let ALICE = "";
let BOB = "";
let ALICE_PREFIX = "";
let BOB_PREFIX = "";
let BOB_RECORD = "";

function freshRun(): void {
  run = Math.random().toString(36).slice(2, 8);
  ALICE = `vc-alice-${run}`;
  BOB = `vc-bob-${run}`;
  ALICE_PREFIX = `${ALICE}.`;
  BOB_PREFIX = `${BOB}.`;
  BOB_RECORD = `bob-secret-record-${run}`;
  covered.clear();
  maxVersion.clear();
  minVersion.clear();
  Object.assign(bobState, freshBobState());
}
const BOB_RETENTION = "987654321";
const BOB_GROUP_SESSION_MS = "46789";

const covered = new Set<number>();
function cover(...apiKeys: number[]): void {
  for (const k of apiKeys) covered.add(k);
}

let kgate: KgateProcess;
let backing: KafkaConnection;
let alice: KafkaConnection;
let bob: KafkaConnection;
let aliceToken: string;
let bobToken: string;
/** Highest version of each API alice's ApiVersions offers (vcluster ∩ codec ∩ broker). */
const maxVersion = new Map<number, number>();
const minVersion = new Map<number, number>();

const freshBobState = () => ({
  topicId: "",
  consumerOffsetsId: "",
  classicMemberId: "",
  classicGeneration: -1,
  cgMemberId: "",
  cgMemberEpoch: 0,
  producerId: -1n,
  producerEpoch: -1,
});
const bobState = freshBobState();

// ---------------------------------------------------------------------------------------------
// helpers

function brokerAddress(): { host: string; port: number } {
  // The bootstrap port: broker ports open once kgate has seen the backing metadata, and with a
  // single backing broker the bootstrap connection reaches the coordinator too.
  return { host: "127.0.0.1", port: kgate.port };
}

function connectAs(username: string, token: string): Promise<KafkaConnection> {
  return KafkaConnection.open(runtime, [brokerAddress()], { sasl: { mechanism: "PLAIN", username, password: token }, clientId: `iso-${username}` });
}

function v(apiKey: number): number {
  const max = maxVersion.get(apiKey);
  if (max === undefined) throw new Error(`api key ${apiKey} is not offered to alice`);
  return max;
}

/** Whether alice may use `version` of the API (offered by kgate and the broker). */
function offers(apiKey: number, version: number): boolean {
  return version >= (minVersion.get(apiKey) ?? Infinity) && version <= (maxVersion.get(apiKey) ?? -1);
}

const latin1 = new TextDecoder("latin1");

function jsonOf(body: unknown): string {
  return JSON.stringify(body, (_k, value) => {
    if (typeof value === "bigint") return value.toString();
    if (value instanceof Uint8Array) return `bytes:${latin1.decode(value)}`;
    return value;
  });
}

/**
 * The response must carry nothing of bob's and nothing of the backing cluster: no backing name
 * (bob's or alice's own unstripped), no internal topic, no member id, record or config value of
 * bob's, no broker address but kgate's. Bob's topic id may appear only where alice sent it
 * herself, and then only next to an error (UNKNOWN_TOPIC_ID, checked by each test).
 */
function assertClean(response: unknown, what: string, request?: unknown): void {
  const text = jsonOf(response);
  // What alice sent herself may come back as the name of the thing she asked about (with an
  // error, checked by each test); it tells her nothing. The rest must never appear.
  const sent = request === undefined ? "" : jsonOf(request);
  const forbidden = [
    "vc-bob", BOB_PREFIX, ALICE_PREFIX, "__consumer_offsets", "__transaction_state", "_kgate", BOB_RECORD, BOB_RETENTION, BOB_GROUP_SESSION_MS,
    ...[bobState.classicMemberId, bobState.cgMemberId, bobState.consumerOffsetsId].filter((s) => s !== ""),
  ];
  for (const s of forbidden) {
    if (text.includes(s) && !sent.includes(s)) throw new Error(`${what}: response leaks "${s}": ${text.slice(0, 2000)}`);
  }
  if (bobState.topicId && text.includes(bobState.topicId)) assertEchoedIdRefused(response, bobState.topicId, what);
  assertKgateAddresses(response, what);
}

function assertEchoedIdRefused(response: unknown, id: string, what: string): void {
  const visit = (o: unknown): void => {
    if (o === null || typeof o !== "object" || o instanceof Uint8Array) return;
    if (Array.isArray(o)) return o.forEach(visit);
    const obj = o as Record<string, unknown>;
    if (Object.values(obj).includes(id)) {
      const codes = new Set<number>();
      const collect = (x: unknown): void => {
        if (x === null || typeof x !== "object" || x instanceof Uint8Array) return;
        if (Array.isArray(x)) return x.forEach(collect);
        for (const [k, val] of Object.entries(x as Record<string, unknown>)) {
          if (k === "errorCode" && typeof val === "number") codes.add(val);
          else collect(val);
        }
        const records = (x as Record<string, unknown>).records;
        if (records instanceof Uint8Array && records.length > 0) throw new Error(`${what}: records next to a foreign topic id`);
      };
      collect(obj);
      if (codes.size === 0 || codes.has(0)) {
        throw new Error(`${what}: foreign topic id ${id} answered with codes [${[...codes]}]: ${jsonOf(obj)}`);
      }
      return;
    }
    Object.values(obj).forEach(visit);
  };
  visit(response);
}

function assertKgateAddresses(response: unknown, what: string): void {
  const visit = (o: unknown): void => {
    if (o === null || typeof o !== "object" || o instanceof Uint8Array) return;
    if (Array.isArray(o)) return o.forEach(visit);
    const obj = o as Record<string, unknown>;
    if (typeof obj.host === "string" && typeof obj.port === "number" && obj.port > 0) {
      if (obj.port < kgate.port || obj.port >= kgate.port + 40) throw new Error(`${what}: broker address ${obj.host}:${obj.port} is not kgate's`);
    }
    Object.values(obj).forEach(visit);
  };
  visit(response);
}

/** Sends as alice, checks the response for leaks, returns it. */
async function asAlice<T = Msg>(apiKey: number, version: number, body: unknown, conn: KafkaConnection = alice): Promise<T> {
  const res = await conn.requestUntyped<T>(apiKey, version, body);
  assertClean(res, `${apiSpec(apiKey)!.name} v${version}`, body);
  return res;
}

function records(value: string): Uint8Array {
  return encodeRecordBatch([{ key: null, value: new TextEncoder().encode(value) }]);
}

function produceBody(topic: { name?: string; topicId?: string }, value: string, transactionalId: string | null = null) {
  return {
    transactionalId,
    acks: -1,
    timeoutMs: 10_000,
    topicData: [{ name: topic.name ?? "", topicId: topic.topicId ?? ZERO_ID, partitionData: [{ index: 0, records: records(value) }] }],
  };
}

function fetchBody(topic: { name?: string; topicId?: string }) {
  const partition = { partition: 0, currentLeaderEpoch: -1, fetchOffset: 0n, lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes: 1 << 20 };
  return {
    replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
    topics: [{ topic: topic.name ?? "", topicId: topic.topicId ?? ZERO_ID, partitions: [partition] }],
    forgottenTopicsData: [], rackId: "",
  };
}

function metadataBody(topics: Array<{ name: string | null; topicId?: string }> | null) {
  return {
    topics: topics?.map((t) => ({ name: t.name, topicId: t.topicId ?? ZERO_ID })) ?? null,
    allowAutoTopicCreation: false,
    includeClusterAuthorizedOperations: false,
    includeTopicAuthorizedOperations: false,
  };
}

/** ConsumerProtocolSubscription v0: topics, null userData. */
function subscriptionBytes(topics: string[]): Uint8Array {
  const parts: number[] = [0, 0, 0, 0, 0, topics.length];
  for (const t of topics) {
    const b = new TextEncoder().encode(t);
    parts.push(b.length >> 8, b.length & 0xff, ...b);
  }
  parts.push(0xff, 0xff, 0xff, 0xff);
  return new Uint8Array(parts);
}

/** ConsumerProtocolAssignment v0: each topic with partition 0, null userData. */
function assignmentBytes(topics: string[]): Uint8Array {
  const parts: number[] = [0, 0, 0, 0, 0, topics.length];
  for (const t of topics) {
    const b = new TextEncoder().encode(t);
    parts.push(b.length >> 8, b.length & 0xff, ...b, 0, 0, 0, 1, 0, 0, 0, 0);
  }
  parts.push(0xff, 0xff, 0xff, 0xff);
  return new Uint8Array(parts);
}

async function createTopic(conn: KafkaConnection, name: string, partitions: number): Promise<void> {
  const res: Msg = await conn.request(API.CreateTopics, 7, {
    topics: [{ name, numPartitions: partitions, replicationFactor: 1, assignments: [], configs: [] }],
    timeoutMs: 30_000,
    validateOnly: false,
  });
  expect(res.topics[0].errorCode).toBe(E.NONE);
  await waitFor(`leaders of ${name}`, async () => {
    const md: Msg = await conn.request(API.Metadata, 12, metadataBody([{ name }]));
    const t = md.topics[0];
    return t.errorCode === 0 && t.partitions.length === partitions && t.partitions.every((p: Msg) => p.leaderId >= 0) ? true : undefined;
  });
}

/** One record to partition 0, retrying while a new partition's leader settles (NOT_LEADER_OR_FOLLOWER). */
async function produceOne(conn: KafkaConnection, topic: string, value: string): Promise<void> {
  await waitFor(`a record in ${topic}`, async () => {
    const res: Msg = await conn.request(API.Produce, Math.min(12, v(API.Produce)), produceBody({ name: topic }, value));
    const code = res.responses[0].partitionResponses[0].errorCode;
    if (code === 0) return true;
    if (code !== 6) throw new Error(`producing to ${topic}: error ${code}`);
    return undefined;
  });
}

/** Backing view of a topic: partitions and id, straight from the broker. */
async function backingTopic(name: string): Promise<Msg> {
  const md: Msg = await backing.request(API.Metadata, 12, metadataBody([{ name }]));
  return md.topics[0];
}

async function bobCommittedOffset(): Promise<bigint> {
  const res: Msg = await bob.requestUntyped(API.OffsetFetch, 9, {
    groups: [{ groupId: "bob-group", memberId: null, memberEpoch: -1, topics: [{ name: "secret", topicId: ZERO_ID, partitionIndexes: [0] }] }],
    requireStable: false,
  });
  return res.groups[0].topics[0].partitions[0].committedOffset;
}

async function bobTransaction(): Promise<Msg> {
  const res: Msg = await bob.request(API.DescribeTransactions, 0, { transactionalIds: ["bob-tx"] });
  return res.transactionStates[0];
}

async function bobHeartbeat(): Promise<number> {
  const res: Msg = await bob.request(API.Heartbeat, 4, {
    groupId: "bob-group", generationId: bobState.classicGeneration, memberId: bobState.classicMemberId, groupInstanceId: null,
  });
  return res.errorCode;
}

function bobCgHeartbeat(): Promise<Msg> {
  return bob.request(API.ConsumerGroupHeartbeat, 1, {
    groupId: "bob-cg", memberId: bobState.cgMemberId, memberEpoch: bobState.cgMemberEpoch, instanceId: null, rackId: null,
    rebalanceTimeoutMs: -1, subscribedTopicNames: null, subscribedTopicRegex: null, serverAssignor: null, topicPartitions: null,
  });
}

// ---------------------------------------------------------------------------------------------
// setup: two tenants; bob's resources made through kgate as bob

function isolationSuite(kgateRuntime: KgateRuntime): void {
beforeAll(async () => {
  freshRun();
  const bootstrap = await kafkaBootstrap();
  // Other test files may hold ports of the random block; take another block then.
  for (let attempt = 1; ; attempt++) {
    try {
      kgate = await startKgate({ runtime: kgateRuntime, backing: bootstrap });
      break;
    } catch (e) {
      if (attempt === 3 || !String(e).includes("Failed to listen")) throw e;
    }
  }
  await adminCall(kgate, "PUT", `/v1/vclusters/${ALICE}`);
  await adminCall(kgate, "PUT", `/v1/vclusters/${BOB}`);
  aliceToken = (await adminCall<{ token: string }>(kgate, "POST", `/v1/vclusters/${ALICE}/tokens`, { username: "alice" })).token;
  bobToken = (await adminCall<{ token: string }>(kgate, "POST", `/v1/vclusters/${BOB}/tokens`, { username: "bob" })).token;
  backing = await KafkaConnection.open(runtime, [parseHostPort(bootstrap)], { clientId: "iso-backing" });
  alice = await connectAs("alice", aliceToken);
  bob = await connectAs("bob", bobToken);

  const versions: Msg = await alice.request(API.ApiVersions, 3, { clientSoftwareName: "iso", clientSoftwareVersion: "1", clusterId: null, nodeId: -1 });
  expect(versions.errorCode).toBe(0);
  for (const k of versions.apiKeys) {
    maxVersion.set(k.apiKey, k.maxVersion);
    minVersion.set(k.apiKey, k.minVersion);
  }

  // bob's topic with a record and a topic config, and its id (through kgate and on the backing)
  await createTopic(bob, "secret", 2);
  await produceOne(bob, "secret", BOB_RECORD);
  const altered: Msg = await bob.request(API.IncrementalAlterConfigs, 1, {
    resources: [
      { resourceType: RESOURCE_TOPIC, resourceName: "secret", configs: [{ name: "retention.ms", configOperation: 0, value: BOB_RETENTION }] },
      ...(KAFKA4_GROUPS
        ? [{ resourceType: RESOURCE_GROUP, resourceName: "bob-group", configs: [{ name: "consumer.session.timeout.ms", configOperation: 0, value: BOB_GROUP_SESSION_MS }] }]
        : []),
    ],
    validateOnly: false,
  });
  expect(altered.responses.map((r: Msg) => r.errorCode)).toEqual(KAFKA4_GROUPS ? [0, 0] : [0]);
  const bobMd: Msg = await bob.request(API.Metadata, 12, metadataBody([{ name: "secret" }]));
  bobState.topicId = bobMd.topics[0].topicId;
  const direct = await backingTopic(`${BOB_PREFIX}secret`);
  expect(direct.errorCode).toBe(0);
  expect(direct.topicId).toBe(bobState.topicId);
  bobState.consumerOffsetsId = (await backingTopic("__consumer_offsets")).topicId;
  expect(bobState.consumerOffsetsId).not.toBe(ZERO_ID);

  // bob-group: committed offset 1 on secret/0, then a live classic member
  const commit: Msg = await bob.request(API.OffsetCommit, 9, {
    groupId: "bob-group", generationIdOrMemberEpoch: -1, memberId: "", groupInstanceId: null, retentionTimeMs: -1n,
    topics: [{ name: "secret", topicId: ZERO_ID, partitions: [{ partitionIndex: 0, committedOffset: 1n, committedLeaderEpoch: -1, committedMetadata: "bob" }] }],
  });
  expect(commit.topics[0].partitions[0].errorCode).toBe(0);
  const join = (memberId: string) =>
    bob.requestUntyped<Msg>(API.JoinGroup, 9, {
      groupId: "bob-group", sessionTimeoutMs: 300_000, rebalanceTimeoutMs: 300_000, memberId, groupInstanceId: null,
      protocolType: "consumer", protocols: [{ name: "range", metadata: subscriptionBytes(["secret"]) }], reason: null,
    });
  const first = await join("");
  expect(first.errorCode).toBe(E.MEMBER_ID_REQUIRED);
  const joined = await join(first.memberId);
  expect(joined.errorCode).toBe(0);
  bobState.classicMemberId = joined.memberId;
  bobState.classicGeneration = joined.generationId;
  const synced: Msg = await bob.request(API.SyncGroup, 5, {
    groupId: "bob-group", generationId: joined.generationId, memberId: joined.memberId, groupInstanceId: null,
    protocolType: "consumer", protocolName: "range",
    assignments: [{ memberId: joined.memberId, assignment: assignmentBytes(["secret"]) }],
  });
  expect(synced.errorCode).toBe(0);
  expect(await bobHeartbeat()).toBe(0);

  if (KAFKA4_GROUPS) {
    // bob-cg: a KIP-848 member subscribed to secret
    bobState.cgMemberId = crypto.randomUUID();
    const cg: Msg = await bob.request(API.ConsumerGroupHeartbeat, 1, {
      groupId: "bob-cg", memberId: bobState.cgMemberId, memberEpoch: 0, instanceId: null, rackId: null,
      rebalanceTimeoutMs: 300_000, subscribedTopicNames: ["secret"], subscribedTopicRegex: null, serverAssignor: null, topicPartitions: [],
    });
    expect(cg.errorCode).toBe(0);
    bobState.cgMemberEpoch = cg.memberEpoch;
  }

  // bob-tx: an ongoing transaction on secret/0
  // A fresh broker loads its transaction coordinator on first use: retry while it says so
  // (COORDINATOR_LOAD_IN_PROGRESS, COORDINATOR_NOT_AVAILABLE, NOT_COORDINATOR).
  let pid: Msg = {};
  for (let attempt = 0; attempt < 60; attempt++) {
    pid = await bob.request(API.InitProducerId, 4, {
      transactionalId: "bob-tx", transactionTimeoutMs: 600_000, producerId: -1n, producerEpoch: -1, enable2Pc: false, keepPreparedTxn: false,
    });
    if (![14, 15, 16].includes(pid.errorCode)) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  expect(pid.errorCode).toBe(0);
  bobState.producerId = pid.producerId;
  bobState.producerEpoch = pid.producerEpoch;
  const added: Msg = await bob.request(API.AddPartitionsToTxn, 3, {
    transactions: [], v3AndBelowTransactionalId: "bob-tx", v3AndBelowProducerId: pid.producerId, v3AndBelowProducerEpoch: pid.producerEpoch,
    v3AndBelowTopics: [{ name: "secret", partitions: [0] }],
  });
  expect(added.resultsByTopicV3AndBelow[0].resultsByPartition[0].partitionErrorCode).toBe(0);
  expect((await bobTransaction()).transactionState).toBe("Ongoing");

  // alice's own topics, so that her lists are not trivially empty
  await createTopic(alice, "orders", 1);
  await createTopic(alice, "payments", 2);
  await produceOne(alice, "orders", "alice-record");
}, 120_000);

afterAll(async () => {
  // An API the backing broker does not serve (an older Kafka) cannot be attacked through it.
  const refusedByBroker = KAFKA4_GROUPS ? [] : [API.ConsumerGroupHeartbeat, API.ConsumerGroupDescribe];
  const missing = offeredApiKeys().filter((k) => maxVersion.has(k) && !refusedByBroker.includes(k as never) && !covered.has(k));
  const names = (keys: number[]) => keys.sort((a, b) => a - b).map((k) => `${k} ${apiSpec(k)?.name}`).join(", ");
  console.log(`isolation suite covered ${covered.size} of ${offeredApiKeys().length} offered API keys: ${names([...covered])}`);
  if (missing.length > 0) console.log(`offered API keys without an isolation test: ${names(missing)}`);
  try {
    if (bob && !bob.closed && bobState.classicMemberId) {
      await bob.request(API.LeaveGroup, 5, {
        groupId: "bob-group", memberId: "", members: [{ memberId: bobState.classicMemberId, groupInstanceId: null, reason: "done" }],
      }).catch(() => {});
      await bob.request(API.ConsumerGroupHeartbeat, 1, {
        groupId: "bob-cg", memberId: bobState.cgMemberId, memberEpoch: -1, instanceId: null, rackId: null, rebalanceTimeoutMs: -1,
        subscribedTopicNames: null, subscribedTopicRegex: null, serverAssignor: null, topicPartitions: null,
      }).catch(() => {});
    }
    if (backing) {
      // Bob's transaction is aborted by the last test; groups and topics go, so the broker does not fill up.
      const groups: Msg = await backing.request(API.ListGroups, 5, { statesFilter: [], typesFilter: [] }).catch(() => ({ groups: [] }));
      const ours = groups.groups.map((g: Msg) => g.groupId).filter((g: string) => g.startsWith(ALICE_PREFIX) || g.startsWith(BOB_PREFIX));
      if (ours.length > 0) await backing.request(API.DeleteGroups, 2, { groupsNames: ours }).catch(() => {});
      await backing.requestUntyped(API.DeleteTopics, 6, {
        topics: [`${BOB_PREFIX}secret`, `${ALICE_PREFIX}orders`, `${ALICE_PREFIX}payments`].map((name) => ({ name, topicId: ZERO_ID })),
        timeoutMs: 30_000,
      }).catch(() => {});
    }
  } finally {
    for (const c of [alice, bob, backing]) c?.close();
    if (kgate) expect(await kgate.stop()).toBe(0);
  }
  expect(missing).toEqual([]);
});

// ---------------------------------------------------------------------------------------------

describe("identity and the offered API set", () => {
  test("ApiVersions inside a vcluster lists only offered APIs and versions", async () => {
    const res: Msg = await asAlice(API.ApiVersions, v(API.ApiVersions), { clientSoftwareName: "iso", clientSoftwareVersion: "1", clusterId: null, nodeId: -1 });
    const offered = new Set(offeredApiKeys());
    for (const k of res.apiKeys) {
      expect(offered.has(k.apiKey)).toBe(true);
      const o = offeredVersions(k.apiKey)!;
      expect(k.minVersion).toBeGreaterThanOrEqual(o.min);
      expect(k.maxVersion).toBeLessThanOrEqual(o.max);
    }
    const listed = new Set(res.apiKeys.map((k: Msg) => k.apiKey));
    // cluster-level APIs are not advertised at all
    for (const k of [4, 5, 6, 7, 34, 38, 43, 45, 48, 49, 50, 51, 55, 56, 57, 64, 74]) expect(listed.has(k)).toBe(false);
    // kgate answers SASL itself, so it is always advertised
    expect(listed.has(API.SaslHandshake)).toBe(true);
    expect(listed.has(API.SaslAuthenticate)).toBe(true);
    // every offered API the broker supports is advertised
    const served: Msg = await backing.request(API.ApiVersions, 3, { clientSoftwareName: "iso", clientSoftwareVersion: "1", clusterId: null, nodeId: -1 });
    const unlisted = served.apiKeys.map((k: Msg) => k.apiKey as number).filter((k: number) => offered.has(k) && !listed.has(k));
    expect(unlisted).toEqual([]);
    cover(API.ApiVersions);
  });

  test("an unauthenticated client gets ApiVersions (clamped) but never data: the connection is closed", async () => {
    const anon = await KafkaConnection.open(runtime, [brokerAddress()], { clientId: "iso-anon" });
    const versions: Msg = await anon.request(API.ApiVersions, 3, { clientSoftwareName: "iso", clientSoftwareVersion: "1", clusterId: null, nodeId: -1 });
    expect(versions.apiKeys.every((k: Msg) => offeredVersions(k.apiKey) !== null)).toBe(true);
    await expect(anon.request(API.Metadata, 12, metadataBody(null))).rejects.toThrow();
    expect(anon.closed).toBe(true);

    // the bootstrap port as well, and a data request as the very first request
    const anon2 = await KafkaConnection.open(runtime, [{ host: "127.0.0.1", port: kgate.port }], { clientId: "iso-anon" });
    await expect(anon2.request(API.ListGroups, 5, { statesFilter: [], typesFilter: [] })).rejects.toThrow();
    // The log line may trail the close by a moment on a busy machine.
    expect(await waitForLog(kgate, "authentication required", 15_000)).toContain("authentication required");
  });

  test("a SaslAuthenticate before SaslHandshake gets ILLEGAL_SASL_STATE and is closed", async () => {
    const c = await KafkaConnection.open(runtime, [brokerAddress()], { clientId: "iso-anon" });
    const res: Msg = await c.request(API.SaslAuthenticate, 2, { authBytes: plainClientMessage("alice", aliceToken) });
    expect(res.errorCode).toBe(ErrorCode.ILLEGAL_SASL_STATE);
    await expect(c.request(API.Metadata, 12, metadataBody(null))).rejects.toThrow();
  });

  test("a wrong token, or bob's token under alice's name, gets SASL_AUTHENTICATION_FAILED and is closed", async () => {
    for (const [username, password] of [["alice", `${aliceToken}x`], ["alice", bobToken], ["alice", "not-a-token"], ["bob", aliceToken]]) {
      const c = await KafkaConnection.open(runtime, [brokerAddress()], { clientId: "iso-anon" });
      const hs: Msg = await c.request(API.SaslHandshake, 1, { mechanism: "PLAIN" });
      expect(hs.errorCode).toBe(0);
      expect(hs.mechanisms).toEqual(["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512", "OAUTHBEARER"]);
      const res: Msg = await c.request(API.SaslAuthenticate, 2, { authBytes: plainClientMessage(username!, password!) });
      expect(res.errorCode).toBe(E.SASL_AUTHENTICATION_FAILED);
      assertClean(res, "SaslAuthenticate");
      await expect(c.request(API.Metadata, 12, metadataBody(null))).rejects.toThrow();
    }
    // a mechanism kgate does not offer
    const c = await KafkaConnection.open(runtime, [brokerAddress()], { clientId: "iso-anon" });
    const hs: Msg = await c.request(API.SaslHandshake, 1, { mechanism: "GSSAPI" });
    expect(hs.errorCode).toBe(ErrorCode.UNSUPPORTED_SASL_MECHANISM);
    await expect(c.request(API.Metadata, 12, metadataBody(null))).rejects.toThrow();
    // and the right token works (the connection helper logs in with Handshake v1 + Authenticate v2)
    const ok = await connectAs("alice", aliceToken);
    expect(((await ok.request(API.Metadata, 12, metadataBody(null))) as Msg).topics.length).toBeGreaterThan(0);
    ok.close();
    cover(API.SaslHandshake, API.SaslAuthenticate);
  });

  test("APIs not offered are refused inside a vcluster: CLUSTER_AUTHORIZATION_FAILED or the connection is closed", async () => {
    const offered = new Set(offeredApiKeys());
    const refused: string[] = [];
    let conn = await connectAs("alice", aliceToken);
    for (const spec of API_LIST) {
      if (offered.has(spec.apiKey)) continue;
      if (conn.closed) conn = await connectAs("alice", aliceToken);
      const outcome = await conn.requestUntyped<Msg>(spec.apiKey, spec.maxVersion, spec.request.create()).then(
        (res) => res,
        () => "closed" as const,
      );
      if (outcome === "closed") {
        expect(conn.closed).toBe(true);
        refused.push(`${spec.name}:closed`);
      } else {
        expect(outcome.errorCode).toBe(E.CLUSTER_AUTHORIZATION_FAILED);
        refused.push(`${spec.name}:31`);
      }
    }
    conn.close();
    expect(refused.length).toBeGreaterThan(20);
  });

  test("cluster-level config resources are refused per resource with CLUSTER_AUTHORIZATION_FAILED", async () => {
    const described: Msg = await asAlice(API.DescribeConfigs, v(API.DescribeConfigs), {
      resources: [
        { resourceType: RESOURCE_BROKER, resourceName: "0", configurationKeys: null },
        { resourceType: RESOURCE_BROKER_LOGGER, resourceName: "0", configurationKeys: null },
        { resourceType: RESOURCE_BROKER, resourceName: "", configurationKeys: null },
      ],
      includeSynonyms: false, includeDocumentation: false,
    });
    expect(described.results.map((r: Msg) => r.errorCode)).toEqual([31, 31, 31]);
    expect(described.results.every((r: Msg) => r.configs.length === 0)).toBe(true);
    const altered: Msg = await asAlice(API.AlterConfigs, v(API.AlterConfigs), {
      resources: [{ resourceType: RESOURCE_BROKER, resourceName: "0", configs: [{ name: "log.retention.ms", value: "1" }] }],
      validateOnly: false,
    });
    expect(altered.responses.map((r: Msg) => r.errorCode)).toEqual([31]);
    const incremental: Msg = await asAlice(API.IncrementalAlterConfigs, v(API.IncrementalAlterConfigs), {
      resources: [
        { resourceType: RESOURCE_BROKER_LOGGER, resourceName: "0", configs: [{ name: "kafka", configOperation: 0, value: "DEBUG" }] },
        { resourceType: RESOURCE_BROKER, resourceName: "", configs: [{ name: "log.retention.ms", configOperation: 0, value: "1" }] },
      ],
      validateOnly: false,
    });
    expect(incremental.responses.map((r: Msg) => r.errorCode)).toEqual([31, 31]);
  });
});

describe("ACLs: answered by kgate per vcluster, none of anyone else", () => {
  test("alice neither lists nor deletes bob's ACLs; her ACLs stay in her vcluster, whatever names they carry", async () => {
    await adminCall(kgate, "PUT", `/v1/vclusters/${ALICE}`, { aclEnabled: true, superUsers: ["User:alice"] });
    await adminCall(kgate, "PUT", `/v1/vclusters/${BOB}`, { aclEnabled: true, superUsers: ["User:bob"] });
    try {
      const creation = (resourceName: string, principal: string) =>
        ({ resourceType: RESOURCE_TOPIC, resourceName, resourcePatternType: 3, principal, host: "*", operation: 3, permissionType: 3 });
      const anyFilter = { resourceTypeFilter: 1, resourceNameFilter: null, patternTypeFilter: 1, principalFilter: null, hostFilter: null, operation: 1, permissionType: 1 };
      const made: Msg = await bob.request(API.CreateAcls, v(API.CreateAcls), { creations: [creation("secret", "User:alice"), creation("*", "User:*")] });
      expect(made.results.map((r: Msg) => r.errorCode)).toEqual([0, 0]);
      const listed: Msg = await asAlice(API.DescribeAcls, v(API.DescribeAcls), anyFilter);
      expect(listed.errorCode).toBe(0);
      expect(listed.resources).toEqual([]);
      const deleted: Msg = await asAlice(API.DeleteAcls, v(API.DeleteAcls), { filters: [anyFilter, { ...anyFilter, resourceNameFilter: `${BOB_PREFIX}secret`, patternTypeFilter: 2 }] });
      expect(deleted.filterResults.map((f: Msg) => f.matchingAcls.length)).toEqual([0, 0]);
      const bobs: Msg = await bob.request(API.DescribeAcls, v(API.DescribeAcls), anyFilter);
      expect(bobs.resources.map((r: Msg) => r.resourceName).sort()).toEqual(["*", "secret"]);
      // An ACL naming bob's backing topic is alice's own, about a name in her own cluster.
      const hers: Msg = await asAlice(API.CreateAcls, v(API.CreateAcls), { creations: [creation(`${BOB_PREFIX}secret`, "User:alice")] });
      expect(hers.results[0].errorCode).toBe(0);
      const bobsAfter = await adminCall<{ acls: Msg[] }>(kgate, "GET", `/v1/vclusters/${BOB}/acls`);
      expect(bobsAfter.acls.map((a) => a.resourceName).sort()).toEqual(["*", "secret"]);
      const md: Msg = await asAlice(API.Metadata, 12, metadataBody(null));
      expect(JSON.stringify(md)).not.toContain("secret");
      cover(API.DescribeAcls, API.CreateAcls, API.DeleteAcls);
    } finally {
      await adminCall(kgate, "PUT", `/v1/vclusters/${ALICE}`, { aclEnabled: false });
      await adminCall(kgate, "PUT", `/v1/vclusters/${BOB}`, { aclEnabled: false });
    }
  });
});

describe("client telemetry: answered by kgate, no subscription, nothing of anyone else", () => {
  test("GetTelemetrySubscriptions asks for no metrics; PushTelemetry is accepted and dropped", async () => {
    // offered to alice whether or not the backing broker has a telemetry plugin (the test broker has none)
    expect(maxVersion.has(API.GetTelemetrySubscriptions) && maxVersion.has(API.PushTelemetry)).toBe(true);
    const first: Msg = await asAlice(API.GetTelemetrySubscriptions, v(API.GetTelemetrySubscriptions), { clientInstanceId: ZERO_ID });
    expect(first.errorCode).toBe(0);
    expect(first.requestedMetrics).toEqual([]);
    expect(first.pushIntervalMs).toBeGreaterThan(0);
    expect(first.clientInstanceId).not.toBe(ZERO_ID);
    // bob's instance id gets alice nothing of bob's: the same empty answer, echoed
    const bobs: Msg = await bob.request(API.GetTelemetrySubscriptions, v(API.GetTelemetrySubscriptions), { clientInstanceId: ZERO_ID });
    expect(bobs.clientInstanceId).not.toBe(first.clientInstanceId);
    const asBobsId: Msg = await asAlice(API.GetTelemetrySubscriptions, v(API.GetTelemetrySubscriptions), { clientInstanceId: bobs.clientInstanceId });
    expect(asBobsId.clientInstanceId).toBe(bobs.clientInstanceId);
    expect(asBobsId.requestedMetrics).toEqual([]);
    expect(asBobsId.subscriptionId).toBe(first.subscriptionId);
    const pushed: Msg = await asAlice(API.PushTelemetry, v(API.PushTelemetry), {
      clientInstanceId: first.clientInstanceId, subscriptionId: first.subscriptionId, terminating: true, compressionType: 0,
      metrics: new TextEncoder().encode(`metrics naming ${BOB_PREFIX}secret`),
    });
    expect(pushed.errorCode).toBe(0);
    // the connection is still usable after the push
    const md: Msg = await asAlice(API.Metadata, 12, metadataBody(null));
    expect(md.topics.map((t: Msg) => t.name)).toContain("orders");
    cover(API.GetTelemetrySubscriptions, API.PushTelemetry);
  });
});

describe("topics: by name, by topic id, in lists", () => {
  const aliceTopics = new Set(["orders", "payments"]);

  test("Metadata: all topics shows only alice's; bob's name, bob's id and internal topics are unknown", async () => {
    for (const version of [v(API.Metadata), 12, 9, 4, 1]) {
      if (!offers(API.Metadata, version)) continue;
      const all: Msg = await asAlice(API.Metadata, version, metadataBody(null));
      const names = all.topics.map((t: Msg) => t.name);
      expect(names.sort()).toEqual([...aliceTopics].sort());
      // v1-v3 always auto-create a topic asked for by name (alice's own, but it would linger)
      if (version < 4) continue;
      const byName: Msg = await asAlice(API.Metadata, version, metadataBody([{ name: "secret" }, { name: "__consumer_offsets" }, { name: `${BOB_PREFIX}secret` }]));
      expect(byName.topics.map((t: Msg) => t.errorCode)).toEqual([3, 3, 3]);
      expect(byName.topics.every((t: Msg) => t.partitions.length === 0)).toBe(true);
    }
    for (const version of [v(API.Metadata), 12, 10]) {
      if (!offers(API.Metadata, version)) continue;
      const byId: Msg = await asAlice(API.Metadata, version, metadataBody([{ name: null, topicId: bobState.topicId }, { name: null, topicId: bobState.consumerOffsetsId }]));
      // v10-11 carry ids but brokers only look topics up by id from v12 (INVALID_REQUEST before)
      const expected = version >= 12 ? E.UNKNOWN_TOPIC_ID : ErrorCode.INVALID_REQUEST;
      expect(byId.topics.map((t: Msg) => t.errorCode)).toEqual([expected, expected]);
      expect(byId.topics.every((t: Msg) => t.partitions.length === 0 && !t.name)).toBe(true);
    }
    // auto-creation by a name only ever creates alice's own topic
    expect((await backingTopic(`${ALICE_PREFIX}secret`)).errorCode).toBe(3);
    cover(API.Metadata);
  });

  test("DescribeTopicPartitions: lists and cursors never show bob's or internal topics", async () => {
    const version = v(API.DescribeTopicPartitions);
    const byName: Msg = await asAlice(API.DescribeTopicPartitions, version, { topics: [{ name: "secret" }, { name: "__consumer_offsets" }], responsePartitionLimit: 2000, cursor: null });
    expect(byName.topics.map((t: Msg) => t.errorCode)).toEqual([3, 3]);
    const all: Msg = await asAlice(API.DescribeTopicPartitions, version, { topics: [], responsePartitionLimit: 2000, cursor: null });
    expect(all.topics.map((t: Msg) => t.name).sort()).toEqual([...aliceTopics].sort());
    // paging one partition at a time, starting before, inside and after alice's names
    for (const start of [null, { topicName: "", partitionIndex: 0 }, { topicName: "a", partitionIndex: 0 }, { topicName: "zzz", partitionIndex: 0 }]) {
      let cursor: Msg = start;
      const seen: string[] = [];
      for (let page = 0; page < 10; page++) {
        const res: Msg = await asAlice(API.DescribeTopicPartitions, version, { topics: [], responsePartitionLimit: 1, cursor });
        for (const t of res.topics) for (const p of t.partitions) seen.push(`${t.name}/${p.partitionIndex}`);
        cursor = res.nextCursor;
        if (cursor === null) break;
        // "" is where alice's names begin (kgate's answer to a cursor left before them)
        if (cursor.topicName !== "") expect(aliceTopics.has(cursor.topicName)).toBe(true);
      }
      expect(cursor).toBeNull();
      for (const s of seen) expect(aliceTopics.has(s.split("/")[0]!)).toBe(true);
      if (start?.topicName !== "zzz") expect(new Set(seen).size).toBeGreaterThanOrEqual(2);
    }
    cover(API.DescribeTopicPartitions);
  });

  test("CreateTopics: bob's name is free in alice's cluster (no TOPIC_ALREADY_EXISTS); too long a name is INVALID_TOPIC_EXCEPTION", async () => {
    const version = v(API.CreateTopics);
    const topic = (name: string) => ({ name, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] });
    const res: Msg = await asAlice(API.CreateTopics, version, {
      topics: [topic("secret"), topic(`${BOB_PREFIX}secret`), topic("__consumer_offsets")], timeoutMs: 10_000, validateOnly: true,
    });
    // no error reveals that bob (or the broker) has a topic of that name
    for (const t of res.topics) expect(t.errorCode).not.toBe(36);
    expect(res.topics.map((t: Msg) => t.name)).toEqual(["secret", `${BOB_PREFIX}secret`, "__consumer_offsets"].map((n) => n));
    const room = 249 - ALICE_PREFIX.length;
    const long = await asAlice<Msg>(API.CreateTopics, version, { topics: [topic("x".repeat(room + 1)), topic("y".repeat(room))], timeoutMs: 10_000, validateOnly: true });
    const byName = new Map(long.topics.map((t: Msg) => [t.name, t]));
    const tooLong: Msg = byName.get("x".repeat(room + 1));
    expect(tooLong.errorCode).toBe(E.INVALID_TOPIC_EXCEPTION);
    expect(tooLong.errorMessage).toContain(`${room}`);
    expect((byName.get("y".repeat(room)) as Msg).errorCode).toBe(0);
    const tooLongAlone: Msg = await asAlice(API.CreateTopics, version, { topics: [topic("z".repeat(300))], timeoutMs: 10_000, validateOnly: false });
    expect(tooLongAlone.topics.map((t: Msg) => t.errorCode)).toEqual([E.INVALID_TOPIC_EXCEPTION]);
    cover(API.CreateTopics);
  });

  test("DeleteTopics by name (v5) and by id (v6) cannot delete bob's topic", async () => {
    if (offers(API.DeleteTopics, 5)) {
      const byName: Msg = await asAlice(API.DeleteTopics, 5, { topics: [], topicNames: ["secret", "__consumer_offsets"], timeoutMs: 10_000 });
      expect(byName.responses.map((r: Msg) => r.errorCode)).toEqual([3, 3]);
    }
    const version = v(API.DeleteTopics);
    expect(version).toBeGreaterThanOrEqual(6);
    const byId: Msg = await asAlice(API.DeleteTopics, version, {
      topics: [{ name: null, topicId: bobState.topicId }, { name: null, topicId: bobState.consumerOffsetsId }], topicNames: [], timeoutMs: 10_000,
    });
    expect(byId.responses.map((r: Msg) => r.errorCode)).toEqual([E.UNKNOWN_TOPIC_ID, E.UNKNOWN_TOPIC_ID]);
    const byName6: Msg = await asAlice(API.DeleteTopics, version, { topics: [{ name: "secret", topicId: ZERO_ID }], topicNames: [], timeoutMs: 10_000 });
    expect(byName6.responses.map((r: Msg) => r.errorCode)).toEqual([3]);
    const still = await backingTopic(`${BOB_PREFIX}secret`);
    expect(still.errorCode).toBe(0);
    expect(still.topicId).toBe(bobState.topicId);
    cover(API.DeleteTopics);
  });

  test("Produce by name (v12) and by topic id (v13) cannot write to bob's topic", async () => {
    const before = await backingTopic(`${BOB_PREFIX}secret`);
    const byName: Msg = await asAlice(API.Produce, Math.min(12, v(API.Produce)), produceBody({ name: "secret" }, "alice-was-here"));
    expect(byName.responses[0].partitionResponses[0].errorCode).toBe(3);
    if (offers(API.Produce, 13)) {
      const byId: Msg = await asAlice(API.Produce, 13, produceBody({ topicId: bobState.topicId }, "alice-was-here"));
      expect(byId.responses[0].partitionResponses[0].errorCode).toBe(E.UNKNOWN_TOPIC_ID);
    }
    const end: Msg = await backing.request(API.ListOffsets, 9, {
      replicaId: -1, isolationLevel: 0, timeoutMs: 5000,
      topics: [{ name: `${BOB_PREFIX}secret`, partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1n }] }],
    });
    expect(end.topics[0].partitions[0].offset).toBe(1n); // only bob's one record
    expect(before.partitions.length).toBe(2);
    cover(API.Produce);
  });

  test("Fetch by name (v12) and by topic id (v13+) returns no records of bob's", async () => {
    const byName: Msg = await asAlice(API.Fetch, 12, fetchBody({ name: "secret" }));
    expect(byName.responses.flatMap((r: Msg) => r.partitions.map((p: Msg) => p.errorCode))).toEqual([3]);
    for (const version of new Set([13, v(API.Fetch)])) {
      if (!offers(API.Fetch, version)) continue;
      const byId: Msg = await asAlice(API.Fetch, version, fetchBody({ topicId: bobState.topicId }));
      expect(byId.responses.flatMap((r: Msg) => r.partitions.map((p: Msg) => p.errorCode))).toEqual([E.UNKNOWN_TOPIC_ID]);
    }
    // a fetch session: alice's own topic plus bob's id; the session never yields bob's partition
    const session: Msg = await asAlice(API.Fetch, v(API.Fetch), {
      ...fetchBody({ name: "orders" }), sessionId: 0, sessionEpoch: 0,
      topics: [fetchBody({ topicId: (await aliceMetadataId("orders")) }).topics[0], fetchBody({ topicId: bobState.topicId }).topics[0]],
    });
    const ok = session.responses.filter((r: Msg) => r.partitions.every((p: Msg) => p.errorCode === 0));
    expect(ok.length).toBe(1);
    if (session.sessionId !== 0) {
      const next: Msg = await asAlice(API.Fetch, v(API.Fetch), { ...fetchBody({}), sessionId: session.sessionId, sessionEpoch: 1, topics: [] });
      expect(next.errorCode).toBe(0);
      expect(jsonOf(next)).not.toContain(BOB_RECORD);
    }
    // Fetch sessions live in the broker under a bare number: one not opened on this connection
    // (e.g. guessed from another tenant) is refused before it reaches the broker.
    const foreignSession: Msg = await asAlice(API.Fetch, v(API.Fetch), { ...fetchBody({}), sessionId: session.sessionId + 1, sessionEpoch: 1, topics: [] });
    expect(foreignSession.errorCode).toBe(70); // FETCH_SESSION_ID_NOT_FOUND
    expect(foreignSession.responses).toEqual([]);
    cover(API.Fetch);
  });

  test("ListOffsets, OffsetForLeaderEpoch, DeleteRecords, CreatePartitions, DescribeProducers: bob's topic is unknown", async () => {
    const lo: Msg = await asAlice(API.ListOffsets, v(API.ListOffsets), {
      replicaId: -1, isolationLevel: 0, timeoutMs: 5000,
      topics: ["secret", "__consumer_offsets"].map((name) => ({ name, partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1n }] })),
    });
    expect(lo.topics.map((t: Msg) => t.partitions[0].errorCode)).toEqual([3, 3]);
    cover(API.ListOffsets);

    const ofle: Msg = await asAlice(API.OffsetForLeaderEpoch, v(API.OffsetForLeaderEpoch), {
      replicaId: -1, topics: [{ topic: "secret", partitions: [{ partition: 0, currentLeaderEpoch: -1, leaderEpoch: 0 }] }],
    });
    expect(ofle.topics[0].partitions[0].errorCode).toBe(3);
    cover(API.OffsetForLeaderEpoch);

    const dr: Msg = await asAlice(API.DeleteRecords, v(API.DeleteRecords), {
      topics: [{ name: "secret", partitions: [{ partitionIndex: 0, offset: 1n }] }], timeoutMs: 5000,
    });
    expect(dr.topics[0].partitions[0].errorCode).toBe(3);
    const start: Msg = await backing.request(API.ListOffsets, 9, {
      replicaId: -1, isolationLevel: 0, timeoutMs: 5000,
      topics: [{ name: `${BOB_PREFIX}secret`, partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -2n }] }],
    });
    expect(start.topics[0].partitions[0].offset).toBe(0n);
    cover(API.DeleteRecords);

    const cp: Msg = await asAlice(API.CreatePartitions, v(API.CreatePartitions), {
      topics: [{ name: "secret", count: 5, assignments: null }], timeoutMs: 5000, validateOnly: false,
    });
    expect(cp.results[0].errorCode).toBe(3);
    expect((await backingTopic(`${BOB_PREFIX}secret`)).partitions.length).toBe(2);
    cover(API.CreatePartitions);

    const dp: Msg = await asAlice(API.DescribeProducers, v(API.DescribeProducers), { topics: [{ name: "secret", partitionIndexes: [0, 1] }] });
    expect(dp.topics[0].partitions.map((p: Msg) => p.errorCode)).toEqual([3, 3]);
    cover(API.DescribeProducers);
  });

  test("DescribeLogDirs and ListPartitionReassignments list only alice's topics", async () => {
    const all: Msg = await asAlice(API.DescribeLogDirs, v(API.DescribeLogDirs), { topics: null });
    const names = new Set(all.results.flatMap((d: Msg) => d.topics.map((t: Msg) => t.name)));
    expect([...names].sort()).toEqual(["orders", "payments"]);
    const bobs: Msg = await asAlice(API.DescribeLogDirs, v(API.DescribeLogDirs), { topics: [{ topic: "secret", partitions: [0, 1] }] });
    expect(bobs.results.flatMap((d: Msg) => d.topics)).toEqual([]);
    cover(API.DescribeLogDirs);

    const lpr: Msg = await asAlice(API.ListPartitionReassignments, v(API.ListPartitionReassignments), { timeoutMs: 5000, topics: null });
    expect(lpr.topics).toEqual([]);
    const lprBob: Msg = await asAlice(API.ListPartitionReassignments, v(API.ListPartitionReassignments), { timeoutMs: 5000, topics: [{ name: "secret", partitionIndexes: [0] }] });
    expect(lprBob.topics).toEqual([]);
    cover(API.ListPartitionReassignments);
  });

  test("DescribeConfigs / AlterConfigs / IncrementalAlterConfigs: bob's topic is unknown, bob's group config is not alice's", async () => {
    const described: Msg = await asAlice(API.DescribeConfigs, v(API.DescribeConfigs), {
      resources: [
        { resourceType: RESOURCE_TOPIC, resourceName: "secret", configurationKeys: null },
        { resourceType: RESOURCE_TOPIC, resourceName: "__consumer_offsets", configurationKeys: null },
        { resourceType: RESOURCE_TOPIC, resourceName: "orders", configurationKeys: ["retention.ms"] },
      ],
      includeSynonyms: true, includeDocumentation: false,
    });
    expect(described.results.map((r: Msg) => [r.resourceName, r.errorCode])).toEqual([["secret", 3], ["__consumer_offsets", 3], ["orders", 0]]);
    // a group resource named like bob's group is alice's own group: defaults, not bob's value
    if (KAFKA4_GROUPS) {
      const group: Msg = await asAlice(API.DescribeConfigs, v(API.DescribeConfigs), {
        resources: [{ resourceType: RESOURCE_GROUP, resourceName: "bob-group", configurationKeys: ["consumer.session.timeout.ms"] }],
        includeSynonyms: true, includeDocumentation: false,
      });
      expect(group.results[0].errorCode).toBe(0);
      expect(group.results[0].resourceName).toBe("bob-group");
      expect(group.results[0].configs[0].value).not.toBe(BOB_GROUP_SESSION_MS);
    }
    cover(API.DescribeConfigs);

    const altered: Msg = await asAlice(API.AlterConfigs, v(API.AlterConfigs), {
      resources: [{ resourceType: RESOURCE_TOPIC, resourceName: "secret", configs: [{ name: "retention.ms", value: "1000" }] }],
      validateOnly: false,
    });
    expect(altered.responses.map((r: Msg) => [r.resourceName, r.errorCode])).toEqual([["secret", 3]]);
    cover(API.AlterConfigs);

    const incremental: Msg = await asAlice(API.IncrementalAlterConfigs, v(API.IncrementalAlterConfigs), {
      resources: [{ resourceType: RESOURCE_TOPIC, resourceName: "secret", configs: [{ name: "retention.ms", configOperation: 0, value: "1000" }] }],
      validateOnly: false,
    });
    expect(incremental.responses.map((r: Msg) => [r.resourceName, r.errorCode])).toEqual([["secret", 3]]);
    if (KAFKA4_GROUPS) {
      const groupAlter: Msg = await asAlice(API.IncrementalAlterConfigs, v(API.IncrementalAlterConfigs), {
        resources: [{ resourceType: RESOURCE_GROUP, resourceName: "bob-group", configs: [{ name: "consumer.session.timeout.ms", configOperation: 0, value: "50000" }] }],
        validateOnly: false,
      });
      expect(groupAlter.responses.map((r: Msg) => [r.resourceName, r.errorCode])).toEqual([["bob-group", 0]]);
    }
    cover(API.IncrementalAlterConfigs);

    const bobs: Msg = await backing.request(API.DescribeConfigs, 4, {
      resources: [{ resourceType: RESOURCE_TOPIC, resourceName: `${BOB_PREFIX}secret`, configurationKeys: ["retention.ms"] }],
      includeSynonyms: false, includeDocumentation: false,
    });
    expect(bobs.results[0].configs[0].value).toBe(BOB_RETENTION);
    if (!KAFKA4_GROUPS) return;
    const bobsGroup: Msg = await backing.request(API.DescribeConfigs, 4, {
      resources: [{ resourceType: RESOURCE_GROUP, resourceName: `${BOB_PREFIX}bob-group`, configurationKeys: ["consumer.session.timeout.ms"] }],
      includeSynonyms: false, includeDocumentation: false,
    });
    expect(bobsGroup.results[0].configs[0].value).toBe(BOB_GROUP_SESSION_MS);
    const alicesGroup: Msg = await backing.request(API.DescribeConfigs, 4, {
      resources: [{ resourceType: RESOURCE_GROUP, resourceName: `${ALICE_PREFIX}bob-group`, configurationKeys: ["consumer.session.timeout.ms"] }],
      includeSynonyms: false, includeDocumentation: false,
    });
    expect(alicesGroup.results[0].configs[0].value).toBe("50000");
  });

  test("DescribeCluster shows only kgate's addresses", async () => {
    const res: Msg = await asAlice(API.DescribeCluster, v(API.DescribeCluster), { includeClusterAuthorizedOperations: false, endpointType: 1, includeFencedBrokers: false });
    expect(res.errorCode).toBe(0);
    expect(res.brokers.length).toBeGreaterThan(0);
    for (const b of res.brokers) {
      expect(b.host).toBe("127.0.0.1");
      expect(b.port).toBeGreaterThan(kgate.port);
      expect(b.port).toBeLessThan(kgate.port + 40);
    }
    cover(API.DescribeCluster);
  });
});

async function aliceMetadataId(name: string): Promise<string> {
  const md: Msg = await alice.request(API.Metadata, 12, metadataBody([{ name }]));
  return md.topics[0].topicId;
}

describe("consumer groups: by group id, by coordinator key, by member id, by regex", () => {
  test("FindCoordinator for bob's group and transactional id answers for alice's own keys", async () => {
    const version = v(API.FindCoordinator);
    for (const keyType of [0, 1]) {
      const res: Msg = await asAlice(API.FindCoordinator, version, { key: "", keyType, coordinatorKeys: ["bob-group", "bob-tx"] });
      expect(res.coordinators.map((c: Msg) => c.key)).toEqual(["bob-group", "bob-tx"]);
      for (const c of res.coordinators) expect(c.errorCode).toBe(0);
    }
    const old: Msg = await asAlice(API.FindCoordinator, 3, { key: "bob-group", keyType: 0, coordinatorKeys: [] });
    expect(old.errorCode).toBe(0);
    cover(API.FindCoordinator);
  });

  test("ListGroups and DescribeGroups never show bob's groups or members", async () => {
    const mine: Msg = await bob.request(API.ListGroups, v(API.ListGroups), { statesFilter: [], typesFilter: [] });
    expect(mine.groups.map((g: Msg) => g.groupId)).toContain("bob-group"); // the setup is real
    const list: Msg = await asAlice(API.ListGroups, v(API.ListGroups), { statesFilter: [], typesFilter: [] });
    for (const g of list.groups) expect(g.groupId).not.toContain("bob");
    cover(API.ListGroups);

    const described: Msg = await asAlice(API.DescribeGroups, v(API.DescribeGroups), { groups: ["bob-group", "bob-cg"], includeAuthorizedOperations: false });
    expect(described.groups.map((g: Msg) => g.groupId).sort()).toEqual(["bob-cg", "bob-group"]);
    for (const g of described.groups) {
      expect([E.GROUP_ID_NOT_FOUND, 0]).toContain(g.errorCode);
      expect(g.members).toEqual([]);
      if (g.errorCode === 0) expect(g.groupState).toBe("Dead");
    }
    cover(API.DescribeGroups);
  });

  test("OffsetFetch (single and batched groups, by name and by id) never returns bob's offsets", async () => {
    const withTopics = (topics: Msg) => ({ groups: [{ groupId: "bob-group", memberId: null, memberEpoch: -1, topics }], requireStable: false });
    for (const version of new Set([8, 9, v(API.OffsetFetch)])) {
      if (!offers(API.OffsetFetch, version)) continue;
      const all: Msg = await asAlice(API.OffsetFetch, version, withTopics(null));
      expect(all.groups[0].groupId).toBe("bob-group");
      expect(all.groups[0].topics).toEqual([]);
      if (version <= 9) {
        const one: Msg = await asAlice(API.OffsetFetch, version, withTopics([{ name: "secret", topicId: ZERO_ID, partitionIndexes: [0] }]));
        for (const t of one.groups[0].topics) for (const p of t.partitions) expect(p.committedOffset).toBe(-1n);
      } else {
        const one: Msg = await asAlice(API.OffsetFetch, version, withTopics([{ name: "", topicId: bobState.topicId, partitionIndexes: [0] }]));
        for (const t of one.groups[0].topics) for (const p of t.partitions) expect(p.committedOffset).toBe(-1n);
      }
    }
    const single: Msg = await asAlice(API.OffsetFetch, 7, { groupId: "bob-group", topics: null, groups: [], requireStable: false });
    expect(single.topics).toEqual([]);
    const singleNamed: Msg = await asAlice(API.OffsetFetch, 5, { groupId: "bob-group", topics: [{ name: "secret", partitionIndexes: [0] }], groups: [], requireStable: false });
    for (const t of singleNamed.topics) for (const p of t.partitions) expect(p.committedOffset).toBe(-1n);
    expect(await bobCommittedOffset()).toBe(1n);
    cover(API.OffsetFetch);
  });

  test("OffsetCommit (by name, by id), OffsetDelete and DeleteGroups cannot touch bob's group", async () => {
    const commit = (topic: Msg) => ({
      groupId: "bob-group", generationIdOrMemberEpoch: -1, memberId: "", groupInstanceId: null, retentionTimeMs: -1n,
      topics: [{ ...topic, partitions: [{ partitionIndex: 0, committedOffset: 0n, committedLeaderEpoch: -1, committedMetadata: null }] }],
    });
    const byName: Msg = await asAlice(API.OffsetCommit, 9, commit({ name: "secret", topicId: ZERO_ID }));
    expect(byName.topics[0].partitions[0].errorCode).toBe(3);
    if (offers(API.OffsetCommit, 10)) {
      const byId: Msg = await asAlice(API.OffsetCommit, 10, commit({ name: "", topicId: bobState.topicId }));
      expect(byId.topics[0].partitions[0].errorCode).toBe(E.UNKNOWN_TOPIC_ID);
    }
    // with bob's member id and generation: alice's group of that name has no such member
    const asMember: Msg = await asAlice(API.OffsetCommit, 9, {
      ...commit({ name: "orders", topicId: ZERO_ID }), generationIdOrMemberEpoch: bobState.classicGeneration, memberId: bobState.classicMemberId,
    });
    // (Kafka 3.9 answers a generation for a group it does not have ILLEGAL_GENERATION)
    expect([E.GROUP_ID_NOT_FOUND, E.UNKNOWN_MEMBER_ID, E.ILLEGAL_GENERATION]).toContain(asMember.topics[0].partitions[0].errorCode);
    expect(await bobCommittedOffset()).toBe(1n);
    cover(API.OffsetCommit);

    const od: Msg = await asAlice(API.OffsetDelete, v(API.OffsetDelete), { groupId: "bob-group", topics: [{ name: "secret", partitions: [{ partitionIndex: 0 }] }] });
    expect(od.errorCode).toBe(E.GROUP_ID_NOT_FOUND);
    cover(API.OffsetDelete);

    const dg: Msg = await asAlice(API.DeleteGroups, v(API.DeleteGroups), { groupsNames: ["bob-group", "bob-cg"] });
    expect(dg.results.map((r: Msg) => [r.groupId, r.errorCode]).sort()).toEqual([["bob-cg", E.GROUP_ID_NOT_FOUND], ["bob-group", E.GROUP_ID_NOT_FOUND]]);
    expect(await bobCommittedOffset()).toBe(1n);
    cover(API.DeleteGroups);
  });

  test("Heartbeat, SyncGroup, LeaveGroup, JoinGroup with bob's member id do not reach bob's member", async () => {
    const hb: Msg = await asAlice(API.Heartbeat, v(API.Heartbeat), {
      groupId: "bob-group", generationId: bobState.classicGeneration, memberId: bobState.classicMemberId, groupInstanceId: null,
    });
    expect(hb.errorCode).toBe(E.UNKNOWN_MEMBER_ID);
    cover(API.Heartbeat);

    const sync: Msg = await asAlice(API.SyncGroup, v(API.SyncGroup), {
      groupId: "bob-group", generationId: bobState.classicGeneration, memberId: bobState.classicMemberId, groupInstanceId: null,
      protocolType: "consumer", protocolName: "range", assignments: [],
    });
    expect(sync.errorCode).toBe(E.UNKNOWN_MEMBER_ID);
    expect(sync.assignment.length).toBe(0);
    cover(API.SyncGroup);

    const leave: Msg = await asAlice(API.LeaveGroup, v(API.LeaveGroup), {
      groupId: "bob-group", memberId: "", members: [{ memberId: bobState.classicMemberId, groupInstanceId: null, reason: "alice" }],
    });
    expect(leave.members.map((m: Msg) => m.errorCode)).toEqual([E.UNKNOWN_MEMBER_ID]);
    cover(API.LeaveGroup);

    const join = (memberId: string) =>
      asAlice<Msg>(API.JoinGroup, v(API.JoinGroup), {
        groupId: "bob-group", sessionTimeoutMs: 30_000, rebalanceTimeoutMs: 30_000, memberId, groupInstanceId: null,
        protocolType: "consumer", protocols: [{ name: "range", metadata: subscriptionBytes(["orders"]) }], reason: null,
      });
    const impersonate = await join(bobState.classicMemberId);
    expect(impersonate.errorCode).toBe(E.UNKNOWN_MEMBER_ID);
    const first = await join("");
    expect(first.errorCode).toBe(E.MEMBER_ID_REQUIRED);
    const joined = await join(first.memberId);
    expect(joined.errorCode).toBe(0);
    expect(joined.members.map((m: Msg) => m.memberId)).toEqual([first.memberId]);
    await asAlice(API.LeaveGroup, v(API.LeaveGroup), { groupId: "bob-group", memberId: "", members: [{ memberId: first.memberId, groupInstanceId: null, reason: null }] });
    cover(API.JoinGroup);

    // bob's member is untouched: same generation, no rebalance
    expect(await bobHeartbeat()).toBe(0);
  });

  test.skipIf(!KAFKA4_GROUPS)("ConsumerGroupHeartbeat / ConsumerGroupDescribe: bob's KIP-848 group and member are unknown", async () => {
    const hb: Msg = await asAlice(API.ConsumerGroupHeartbeat, v(API.ConsumerGroupHeartbeat), {
      groupId: "bob-cg", memberId: bobState.cgMemberId, memberEpoch: bobState.cgMemberEpoch, instanceId: null, rackId: null,
      rebalanceTimeoutMs: -1, subscribedTopicNames: null, subscribedTopicRegex: null, serverAssignor: null, topicPartitions: null,
    });
    expect(hb.errorCode).toBe(E.GROUP_ID_NOT_FOUND);
    expect(hb.assignment).toBeNull();
    // alice's own member subscribing to bob's name, then claiming bob's partitions by topic id
    const memberId = crypto.randomUUID();
    const heartbeat = (memberEpoch: number, topicPartitions: Msg) =>
      asAlice<Msg>(API.ConsumerGroupHeartbeat, v(API.ConsumerGroupHeartbeat), {
        groupId: `alice-cg-${run}`, memberId, memberEpoch, instanceId: null, rackId: null,
        rebalanceTimeoutMs: 30_000, subscribedTopicNames: ["secret"], subscribedTopicRegex: null, serverAssignor: null, topicPartitions,
      });
    const joined = await heartbeat(0, []);
    expect(joined.errorCode).toBe(0);
    const claimed = await heartbeat(joined.memberEpoch, [{ topicId: bobState.topicId, partitions: [0, 1] }]);
    expect(claimed.errorCode).toBe(0);
    expect(claimed.assignment?.topicPartitions ?? []).toEqual([]);
    const backingView: Msg = await backing.request(API.ConsumerGroupDescribe, 1, { groupIds: [`${ALICE_PREFIX}alice-cg-${run}`], includeAuthorizedOperations: false });
    expect(jsonOf(backingView)).not.toContain(BOB_PREFIX);
    expect(jsonOf(backingView)).not.toContain(bobState.topicId);
    await heartbeat(-1, null);
    cover(API.ConsumerGroupHeartbeat);

    const described: Msg = await asAlice(API.ConsumerGroupDescribe, v(API.ConsumerGroupDescribe), { groupIds: ["bob-cg"], includeAuthorizedOperations: false });
    expect(described.groups.map((g: Msg) => [g.groupId, g.errorCode])).toEqual([["bob-cg", E.GROUP_ID_NOT_FOUND]]);
    cover(API.ConsumerGroupDescribe);

    const still: Msg = await bobCgHeartbeat();
    expect(still.errorCode).toBe(0);
  });

  test.skipIf(!KAFKA4_GROUPS)("a subscribed regex matches only alice's topics, whatever it contains", async () => {
    const regexes = [".*", "secret|.*", `${BOB_PREFIX}.*|.*secret.*`, "(.*)", ".*)|(.*"];
    for (const regex of regexes) {
      const group = `alice-re-${run}-${regexes.indexOf(regex)}`;
      const memberId = crypto.randomUUID();
      const res: Msg = await asAlice(API.ConsumerGroupHeartbeat, v(API.ConsumerGroupHeartbeat), {
        groupId: group, memberId, memberEpoch: 0, instanceId: null, rackId: null, rebalanceTimeoutMs: 30_000,
        subscribedTopicNames: null, subscribedTopicRegex: regex, serverAssignor: null, topicPartitions: [],
      });
      if (res.errorCode !== 0) {
        expect(res.errorCode).toBe(E.INVALID_REGULAR_EXPRESSION);
        continue;
      }
      await expectRegexConfined(group, memberId, res.memberEpoch, regex);
    }
  });

  test.skipIf(!KAFKA4_GROUPS)("a malformed regex gets INVALID_REGULAR_EXPRESSION", async () => {
    for (const regex of ["(", "a)|(b", "[a-", "*", "\\"]) {
      const res: Msg = await asAlice(API.ConsumerGroupHeartbeat, v(API.ConsumerGroupHeartbeat), {
        groupId: `alice-bad-re-${run}`, memberId: crypto.randomUUID(), memberEpoch: 0, instanceId: null, rackId: null, rebalanceTimeoutMs: 30_000,
        subscribedTopicNames: null, subscribedTopicRegex: regex, serverAssignor: null, topicPartitions: [],
      });
      expect(res.errorCode).toBe(E.INVALID_REGULAR_EXPRESSION);
      expect(res.errorMessage).toContain("regular expression");
    }
  });

  test.skipIf(!KAFKA4_GROUPS)("regexes that JavaScript and RE2 (the broker's engine) read differently cannot escape the anchoring", async () => {
    // `[^]` and `[]` close a character class at once in JavaScript; in RE2 a `]` right after
    // `[` or `[^` is a literal and the class goes on. A checker that only asks JavaScript would
    // let the `)` after it close kgate's anchoring group on the broker.
    const tricky = ["[^]([])|.*|([^])[]", "a[^]([^])|.*|([^])[]", "[^]\\](^[:alpha:][^])|.*|(a[^])[]"];
    for (const regex of tricky) {
      const group = `alice-tricky-${run}-${tricky.indexOf(regex)}`;
      const memberId = crypto.randomUUID();
      const res: Msg = await asAlice(API.ConsumerGroupHeartbeat, v(API.ConsumerGroupHeartbeat), {
        groupId: group, memberId, memberEpoch: 0, instanceId: null, rackId: null, rebalanceTimeoutMs: 30_000,
        subscribedTopicNames: null, subscribedTopicRegex: regex, serverAssignor: null, topicPartitions: [],
      });
      if (res.errorCode !== 0) {
        expect(res.errorCode).toBe(E.INVALID_REGULAR_EXPRESSION);
        continue;
      }
      await expectRegexConfined(group, memberId, res.memberEpoch, regex);
    }
  });
});

/**
 * Heartbeats until the broker has resolved the member's regex (its assignment is non-empty or
 * a few seconds passed), then checks on the backing cluster itself that the group's target
 * assignment holds only alice's topics.
 */
async function expectRegexConfined(group: string, memberId: string, epoch: number, regex: string): Promise<void> {
  let memberEpoch = epoch;
  const deadline = Date.now() + 8000;
  let assigned: string[] = [];
  while (Date.now() < deadline) {
    const hb: Msg = await asAlice(API.ConsumerGroupHeartbeat, v(API.ConsumerGroupHeartbeat), {
      groupId: group, memberId, memberEpoch, instanceId: null, rackId: null, rebalanceTimeoutMs: -1,
      subscribedTopicNames: null, subscribedTopicRegex: null, serverAssignor: null, topicPartitions: null,
    });
    expect(hb.errorCode).toBe(0);
    memberEpoch = hb.memberEpoch;
    const backingView: Msg = await backing.request(API.ConsumerGroupDescribe, 1, { groupIds: [`${ALICE_PREFIX}${group}`], includeAuthorizedOperations: false });
    const member = backingView.groups[0].members.find((m: Msg) => m.memberId === memberId);
    assigned = [...(member?.assignment.topicPartitions ?? []), ...(member?.targetAssignment.topicPartitions ?? [])].map((t: Msg) => t.topicName);
    for (const name of assigned) {
      if (!name.startsWith(ALICE_PREFIX)) throw new Error(`regex ${JSON.stringify(regex)} (sent as ${member.subscribedTopicRegex}) matched ${name} on the broker`);
    }
    if (assigned.length > 0 && /\.\*/.test(regex)) break;
    await new Promise((r) => setTimeout(r, 300));
  }
  await asAlice(API.ConsumerGroupHeartbeat, v(API.ConsumerGroupHeartbeat), {
    groupId: group, memberId, memberEpoch: -1, instanceId: null, rackId: null, rebalanceTimeoutMs: -1,
    subscribedTopicNames: null, subscribedTopicRegex: null, serverAssignor: null, topicPartitions: null,
  });
}

describe.skipIf(!SHARE_AND_STREAMS)("share groups and streams groups: by group id, by member id, by topic id", () => {
  const shareMember = crypto.randomUUID().replaceAll("-", "").slice(0, 22);
  const streamsMember = crypto.randomUUID();
  let shareEpoch = 0;
  let streamsEpoch = 0;

  const shareHeartbeat = (conn: KafkaConnection, groupId: string, memberId: string, memberEpoch: number, topics: string[] | null): Promise<Msg> =>
    conn.request(API.ShareGroupHeartbeat, 1, { groupId, memberId, memberEpoch, rackId: null, subscribedTopicNames: topics });
  const streamsHeartbeat = (conn: KafkaConnection, version: number, groupId: string, memberId: string, memberEpoch: number, sourceTopics: string[] | null): Promise<Msg> =>
    conn.request(API.StreamsGroupHeartbeat, version, {
      groupId, memberId, memberEpoch, endpointInformationEpoch: 0, instanceId: null, rackId: null, rebalanceTimeoutMs: sourceTopics ? 30_000 : -1,
      topology: sourceTopics && {
        epoch: 0,
        subtopologies: [{ subtopologyId: "0", sourceTopics, sourceTopicRegex: [], stateChangelogTopics: [], repartitionSinkTopics: [], repartitionSourceTopics: [], copartitionGroups: [] }],
      },
      activeTasks: sourceTopics ? [] : null, standbyTasks: sourceTopics ? [] : null, warmupTasks: sourceTopics ? [] : null,
      processId: sourceTopics ? crypto.randomUUID() : null, userEndpoint: null, clientTags: sourceTopics ? [] : null,
      taskOffsets: null, taskEndOffsets: null, shutdownApplication: false,
    });
  /** The error code alice gets for a group that exists nowhere: the answer bob's must look like. */
  const nobody = () => `nobody-${run}`;

  beforeAll(async () => {
    // bob's share group reading secret, and his streams group with secret as its source
    const share = await shareHeartbeat(bob, "bob-share", shareMember, 0, ["secret"]);
    expect(share.errorCode).toBe(0);
    shareEpoch = share.memberEpoch;
    const streams = await streamsHeartbeat(bob, 0, "bob-streams", streamsMember, 0, ["secret"]);
    expect(streams.errorCode).toBe(0);
    streamsEpoch = streams.memberEpoch;
  });

  afterAll(async () => {
    await shareHeartbeat(bob, "bob-share", shareMember, -1, null).catch(() => {});
    await streamsHeartbeat(bob, 0, "bob-streams", streamsMember, -1, null).catch(() => {});
  });

  test("ShareGroupHeartbeat / ShareGroupDescribe: bob's share group and member are unknown; alice's own member never gets bob's topic", async () => {
    const asBob = await asAlice(API.ShareGroupHeartbeat, v(API.ShareGroupHeartbeat), { groupId: "bob-share", memberId: shareMember, memberEpoch: shareEpoch, rackId: null, subscribedTopicNames: null });
    const asNobody: Msg = await alice.request(API.ShareGroupHeartbeat, v(API.ShareGroupHeartbeat), { groupId: nobody(), memberId: shareMember, memberEpoch: shareEpoch, rackId: null, subscribedTopicNames: null });
    expect(asBob.errorCode).not.toBe(0);
    expect(asBob.errorCode).toBe(asNobody.errorCode);
    const memberId = crypto.randomUUID().replaceAll("-", "").slice(0, 22);
    const joined = await asAlice(API.ShareGroupHeartbeat, v(API.ShareGroupHeartbeat), { groupId: `alice-share-${run}`, memberId, memberEpoch: 0, rackId: null, subscribedTopicNames: ["secret", `${BOB_PREFIX}secret`] });
    expect(joined.errorCode).toBe(0);
    const backingView: Msg = await backing.request(API.ShareGroupDescribe, 1, { groupIds: [`${ALICE_PREFIX}alice-share-${run}`], includeAuthorizedOperations: false });
    expect(backingView.groups[0].members[0].subscribedTopicNames.sort()).toEqual([`${ALICE_PREFIX}${BOB_PREFIX}secret`, `${ALICE_PREFIX}secret`].sort());
    expect(jsonOf(backingView.groups[0].members[0].assignment)).not.toContain(bobState.topicId);
    await asAlice(API.ShareGroupHeartbeat, v(API.ShareGroupHeartbeat), { groupId: `alice-share-${run}`, memberId, memberEpoch: -1, rackId: null, subscribedTopicNames: null });
    cover(API.ShareGroupHeartbeat);

    const described: Msg = await asAlice(API.ShareGroupDescribe, v(API.ShareGroupDescribe), { groupIds: ["bob-share"], includeAuthorizedOperations: false });
    expect(described.groups.map((g: Msg) => [g.groupId, g.errorCode])).toEqual([["bob-share", E.GROUP_ID_NOT_FOUND]]);
    cover(API.ShareGroupDescribe);

    const still = await shareHeartbeat(bob, "bob-share", shareMember, shareEpoch, null);
    expect(still.errorCode).toBe(0);
    shareEpoch = still.memberEpoch;
  });

  test("ShareFetch / ShareAcknowledge by bob's topic id, with bob's group and member: answered as for an id that does not exist", async () => {
    const partitions = [{ partitionIndex: 0, partitionMaxBytes: 0, acknowledgementBatches: [] }];
    const fetchFor = (groupId: string, topicId: string, conn: KafkaConnection = alice) => conn.request<Msg>(API.ShareFetch, v(API.ShareFetch), {
      groupId, memberId: shareMember, shareSessionEpoch: 0, maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, maxRecords: 100, batchSize: 100,
      shareAcquireMode: 0, isRenewAck: false, topics: [{ topicId, partitions }], forgottenTopicsData: [],
    });
    const request = { groupId: "bob-share", topicId: bobState.topicId };
    const fetched = await fetchFor("bob-share", bobState.topicId);
    assertClean(fetched, "ShareFetch", request);
    const unknown = await fetchFor(nobody(), crypto.randomUUID().replaceAll("-", ""));
    expect({ ...fetched, throttleTimeMs: 0 }).toEqual({ ...unknown, throttleTimeMs: 0 });
    expect(jsonOf(fetched)).not.toContain(bobState.topicId);
    cover(API.ShareFetch);

    const ackFor = (groupId: string, topicId: string) => alice.request<Msg>(API.ShareAcknowledge, v(API.ShareAcknowledge), {
      groupId, memberId: shareMember, shareSessionEpoch: 1, isRenewAck: false,
      topics: [{ topicId, partitions: [{ partitionIndex: 0, acknowledgementBatches: [{ firstOffset: 0n, lastOffset: 0n, acknowledgeTypes: [1] }] }] }],
    });
    const acked = await ackFor("bob-share", bobState.topicId);
    assertClean(acked, "ShareAcknowledge", request);
    const ackedUnknown = await ackFor(nobody(), crypto.randomUUID().replaceAll("-", ""));
    expect(acked.errorCode).toBe(ackedUnknown.errorCode);
    expect(jsonOf(acked)).not.toContain(bobState.topicId);
    cover(API.ShareAcknowledge);
  });

  test("Describe/Alter/DeleteShareGroupOffsets for bob's share group act on alice's own, empty one", async () => {
    const describe = (groupId: string) => asAlice<Msg>(API.DescribeShareGroupOffsets, v(API.DescribeShareGroupOffsets), { groups: [{ groupId, topics: null }] });
    const described = await describe("bob-share");
    expect(described.groups.map((g: Msg) => [g.groupId, g.topics.length])).toEqual([["bob-share", 0]]);
    expect(described.groups[0].errorCode).toBe((await describe(nobody())).groups[0].errorCode);
    cover(API.DescribeShareGroupOffsets);

    const topics = [{ topicName: "secret", partitions: [{ partitionIndex: 0, startOffset: 0n }] }];
    const altered = await asAlice(API.AlterShareGroupOffsets, v(API.AlterShareGroupOffsets), { groupId: "bob-share", topics });
    const alteredNobody: Msg = await alice.request(API.AlterShareGroupOffsets, v(API.AlterShareGroupOffsets), { groupId: nobody(), topics });
    expect(altered.errorCode).toBe(alteredNobody.errorCode);
    expect(jsonOf(altered.responses)).toBe(jsonOf(alteredNobody.responses));
    cover(API.AlterShareGroupOffsets);

    const deleted = await asAlice(API.DeleteShareGroupOffsets, v(API.DeleteShareGroupOffsets), { groupId: "bob-share", topics: [{ topicName: "secret" }] });
    const deletedNobody: Msg = await alice.request(API.DeleteShareGroupOffsets, v(API.DeleteShareGroupOffsets), { groupId: nobody(), topics: [{ topicName: "secret" }] });
    expect(deleted.errorCode).toBe(deletedNobody.errorCode);
    cover(API.DeleteShareGroupOffsets);

    // bob's group is still there, with its member, on the backing cluster
    const backingView: Msg = await backing.request(API.ShareGroupDescribe, 1, { groupIds: [`${BOB_PREFIX}bob-share`], includeAuthorizedOperations: false });
    expect(backingView.groups[0].members.map((m: Msg) => m.memberId)).toEqual([shareMember]);
  });

  test("StreamsGroupHeartbeat / StreamsGroupDescribe / StreamsGroupTopologyDescriptionUpdate: bob's streams group is unknown", async () => {
    const version = v(API.StreamsGroupHeartbeat);
    const asBob: Msg = await streamsHeartbeat(alice, version, "bob-streams", streamsMember, streamsEpoch, null);
    assertClean(asBob, "StreamsGroupHeartbeat");
    const asNobody: Msg = await streamsHeartbeat(alice, version, nobody(), streamsMember, streamsEpoch, null);
    expect(asBob.errorCode).not.toBe(0);
    expect(asBob.errorCode).toBe(asNobody.errorCode);
    // alice's own streams app reading bob's backing name reads a topic of hers that does not exist
    const own: Msg = await streamsHeartbeat(alice, version, `alice-streams-${run}`, crypto.randomUUID(), 0, [`${BOB_PREFIX}secret`, "secret"]);
    assertClean(own, "StreamsGroupHeartbeat", { sourceTopics: [`${BOB_PREFIX}secret`] });
    expect(own.activeTasks ?? []).toEqual([]);
    const backingView: Msg = await backing.requestUntyped(API.StreamsGroupDescribe, 0, { groupIds: [`${ALICE_PREFIX}alice-streams-${run}`], includeAuthorizedOperations: false });
    expect(backingView.groups[0].topology.subtopologies[0].sourceTopics.sort()).toEqual([`${ALICE_PREFIX}${BOB_PREFIX}secret`, `${ALICE_PREFIX}secret`].sort());
    cover(API.StreamsGroupHeartbeat);

    const described: Msg = await asAlice(API.StreamsGroupDescribe, v(API.StreamsGroupDescribe), { groupIds: ["bob-streams"], includeAuthorizedOperations: false, includeTopologyDescription: false });
    expect(described.groups.map((g: Msg) => [g.groupId, g.errorCode])).toEqual([["bob-streams", E.GROUP_ID_NOT_FOUND]]);
    cover(API.StreamsGroupDescribe);

    const update = (groupId: string) => alice.request<Msg>(API.StreamsGroupTopologyDescriptionUpdate, v(API.StreamsGroupTopologyDescriptionUpdate), {
      groupId, memberId: streamsMember, topologyEpoch: 0,
      topologyDescription: { subtopologies: [{ subtopologyId: "0", nodes: [{ name: "src", nodeType: 0, sourceTopics: ["secret"], sinkTopic: null, stores: [], successors: [] }] }], globalStores: [] },
    });
    const updated = await update("bob-streams");
    assertClean(updated, "StreamsGroupTopologyDescriptionUpdate");
    expect(updated.errorCode).not.toBe(0);
    expect(updated.errorCode).toBe((await update(nobody())).errorCode);
    cover(API.StreamsGroupTopologyDescriptionUpdate);

    const still: Msg = await streamsHeartbeat(bob, 0, "bob-streams", streamsMember, streamsEpoch, null);
    expect(still.errorCode).toBe(0);
  });
});

describe("transactions: by transactional id, by producer id", () => {
  test("DescribeTransactions and ListTransactions never show bob's transaction", async () => {
    const described: Msg = await asAlice(API.DescribeTransactions, v(API.DescribeTransactions), { transactionalIds: ["bob-tx"] });
    expect(described.transactionStates.map((t: Msg) => [t.transactionalId, t.errorCode])).toEqual([["bob-tx", E.TRANSACTIONAL_ID_NOT_FOUND]]);
    expect(described.transactionStates[0].topics).toEqual([]);
    cover(API.DescribeTransactions);

    const version = v(API.ListTransactions);
    const base = { stateFilters: [], producerIdFilters: [], durationFilter: -1n, transactionalIdPattern: null };
    const bobsView: Msg = await bob.request(API.ListTransactions, version, base);
    expect(bobsView.transactionStates.map((t: Msg) => t.transactionalId)).toContain("bob-tx"); // the setup is real
    for (const body of [base, { ...base, producerIdFilters: [bobState.producerId] }, { ...base, stateFilters: ["Ongoing"] }]) {
      const res: Msg = await asAlice(API.ListTransactions, version, body);
      for (const t of res.transactionStates) expect(t.transactionalId).not.toContain("bob");
      for (const t of res.transactionStates) expect(t.producerId).not.toBe(bobState.producerId);
    }
    if (version >= 2) {
      const pattern: Msg = await asAlice(API.ListTransactions, version, { ...base, transactionalIdPattern: ".*bob.*" });
      expect(pattern.transactionStates).toEqual([]);
      const bad: Msg = await asAlice(API.ListTransactions, version, { ...base, transactionalIdPattern: "(" });
      expect(bad.errorCode).toBe(E.INVALID_REGULAR_EXPRESSION);
    }
    cover(API.ListTransactions);
  });

  test("AddPartitionsToTxn, AddOffsetsToTxn, TxnOffsetCommit, EndTxn with bob's transactional id and producer id fail", async () => {
    const apt: Msg = await asAlice(API.AddPartitionsToTxn, 3, {
      transactions: [], v3AndBelowTransactionalId: "bob-tx", v3AndBelowProducerId: bobState.producerId, v3AndBelowProducerEpoch: bobState.producerEpoch,
      v3AndBelowTopics: [{ name: "orders", partitions: [0] }, { name: "secret", partitions: [0] }],
    });
    const aptCodes = (res: Msg) => res.resultsByTopicV3AndBelow.flatMap((t: Msg) => t.resultsByPartition.map((p: Msg) => [t.name, p.partitionErrorCode]));
    expect(aptCodes(apt).sort()).toEqual([["orders", E.OPERATION_NOT_ATTEMPTED], ["secret", E.UNKNOWN_TOPIC_OR_PARTITION]]);
    const aptOwn: Msg = await asAlice(API.AddPartitionsToTxn, 3, {
      transactions: [], v3AndBelowTransactionalId: "bob-tx", v3AndBelowProducerId: bobState.producerId, v3AndBelowProducerEpoch: bobState.producerEpoch,
      v3AndBelowTopics: [{ name: "orders", partitions: [0] }],
    });
    expect(aptCodes(aptOwn)).toEqual([["orders", E.INVALID_PRODUCER_ID_MAPPING]]);
    if (v(API.AddPartitionsToTxn) >= 4) {
      for (const verifyOnly of [true, false]) {
        const batched: Msg = await asAlice(API.AddPartitionsToTxn, v(API.AddPartitionsToTxn), {
          transactions: [{ transactionalId: "bob-tx", producerId: bobState.producerId, producerEpoch: bobState.producerEpoch, verifyOnly, topics: [{ name: "orders", partitions: [0] }] }],
          v3AndBelowTransactionalId: "", v3AndBelowProducerId: 0n, v3AndBelowProducerEpoch: 0, v3AndBelowTopics: [],
        });
        const codes = batched.resultsByTransaction.flatMap((t: Msg) => t.topicResults.flatMap((r: Msg) => r.resultsByPartition.map((p: Msg) => p.partitionErrorCode)));
        expect(batched.errorCode).toBe(0);
        expect(codes).toEqual([E.INVALID_PRODUCER_ID_MAPPING]);
        for (const t of batched.resultsByTransaction) expect(t.transactionalId).toBe("bob-tx");
      }
    }
    cover(API.AddPartitionsToTxn);

    const aot: Msg = await asAlice(API.AddOffsetsToTxn, v(API.AddOffsetsToTxn), {
      transactionalId: "bob-tx", producerId: bobState.producerId, producerEpoch: bobState.producerEpoch, groupId: "bob-group",
    });
    expect(aot.errorCode).toBe(E.INVALID_PRODUCER_ID_MAPPING);
    cover(API.AddOffsetsToTxn);

    for (const version of new Set([5, v(API.TxnOffsetCommit)])) {
      if (!offers(API.TxnOffsetCommit, version)) continue;
      const topic = version >= 6 ? { name: "", topicId: bobState.topicId } : { name: "secret", topicId: ZERO_ID };
      const toc: Msg = await asAlice(API.TxnOffsetCommit, version, {
        transactionalId: "bob-tx", groupId: "bob-group", producerId: bobState.producerId, producerEpoch: bobState.producerEpoch,
        generationIdOrMemberEpoch: -1, memberId: "", groupInstanceId: null,
        topics: [{ ...topic, partitions: [{ partitionIndex: 0, committedOffset: 0n, committedLeaderEpoch: -1, committedMetadata: null }] }],
      });
      const codes = toc.topics.flatMap((t: Msg) => t.partitions.map((p: Msg) => p.errorCode));
      expect(codes).toEqual([version >= 6 ? E.UNKNOWN_TOPIC_ID : E.UNKNOWN_TOPIC_OR_PARTITION]);
    }
    cover(API.TxnOffsetCommit);

    const end: Msg = await asAlice(API.EndTxn, v(API.EndTxn), {
      transactionalId: "bob-tx", producerId: bobState.producerId, producerEpoch: bobState.producerEpoch, committed: false,
    });
    expect(end.errorCode).toBe(E.INVALID_PRODUCER_ID_MAPPING);
    cover(API.EndTxn);

    const tx = await bobTransaction();
    expect(tx.transactionState).toBe("Ongoing");
    expect(tx.producerEpoch).toBe(bobState.producerEpoch);
    expect(await bobCommittedOffset()).toBe(1n);
  });

  test("InitProducerId for bob's transactional id gets alice's own producer and does not fence bob", async () => {
    const res: Msg = await asAlice(API.InitProducerId, v(API.InitProducerId), {
      transactionalId: "bob-tx", transactionTimeoutMs: 60_000, producerId: -1n, producerEpoch: -1, enable2Pc: false, keepPreparedTxn: false,
    });
    expect(res.errorCode).toBe(0);
    expect(res.producerId).not.toBe(bobState.producerId);
    const again: Msg = await asAlice(API.InitProducerId, v(API.InitProducerId), {
      transactionalId: "bob-tx", transactionTimeoutMs: 60_000, producerId: bobState.producerId, producerEpoch: bobState.producerEpoch, enable2Pc: false, keepPreparedTxn: false,
    });
    // answered for alice's own transactional id, which has her producer, not bob's
    expect([E.INVALID_PRODUCER_EPOCH, E.PRODUCER_FENCED, E.INVALID_PRODUCER_ID_MAPPING]).toContain(again.errorCode);
    cover(API.InitProducerId);

    const tx = await bobTransaction();
    expect(tx.transactionState).toBe("Ongoing");
    expect(tx.producerEpoch).toBe(bobState.producerEpoch);
    // bob finishes his own transaction: he was never fenced
    const abort: Msg = await bob.request(API.EndTxn, 4, {
      transactionalId: "bob-tx", producerId: bobState.producerId, producerEpoch: bobState.producerEpoch, committed: false,
    });
    expect(abort.errorCode).toBe(0);
  });
});
}

for (const kgateRuntime of ["bun", "deno"] as const) {
  describe(`isolation suite (kgate on ${kgateRuntime})`, () => isolationSuite(kgateRuntime));
}
