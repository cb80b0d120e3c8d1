// The isolation suite's fixture: two tenants on one kgate and one real broker. Bob owns a topic
// (with records, configs and a topic id), a classic group with committed offsets and a live
// member, a KIP-848 group and an ongoing transaction; alice, with kgate's own client and raw
// requests, tries to reach them (test/e2e/vcluster-isolation-*.test.ts, one file per concern).
// Every response alice gets through `asAlice` is scanned for bob's names, ids, member ids,
// records and for backing addresses.
//
// The tenants, connections and bob's state are module bindings that `isolationSuite`'s
// beforeAll fills afresh for each runtime; the test files read them as live imports.
import { afterAll, beforeAll, describe, expect } from "bun:test";
import { KafkaConnection } from "../../../src/client/kafka-connection.ts";
import { encodeRecordBatch } from "../../../src/client/record-batch.ts";
import { parseHostPort } from "../../../src/client/upstream.ts";
import { ApiKey, type RequestOf, type ResponseOf } from "../../../src/protocol/messages/api-keys.ts";
import { ConfigResourceType, ZERO_UUID } from "../../../src/protocol/messages/constants.ts";
import { ErrorCode } from "../../../src/protocol/messages/errors.ts";
import type { FetchRequest } from "../../../src/protocol/messages/fetch-request.ts";
import type { MetadataRequest } from "../../../src/protocol/messages/metadata-request.ts";
import type { ProduceRequest } from "../../../src/protocol/messages/produce-request.ts";
import { apiSpec } from "../../../src/protocol/registry.ts";
import { runtime } from "../../../src/runtime/index.ts";
import { BROKER_FEATURE } from "../broker-features.ts";
import { kafkaBootstrap } from "../kafka.ts";
import { adminCall, type KgateProcess, type KgateRuntime, startKgate } from "../kgate-process.ts";
import { waitFor } from "../wait.ts";
import { ISOLATION_COVERAGE, type IsolationConcern } from "./coverage.ts";

export { ApiKey as API, ErrorCode as E };
const API = ApiKey;
const E = ErrorCode;

// What the backing broker serves: Kafka 3.9 (npm run test:broker-3.9) has no KIP-848 groups
// (it advertises ConsumerGroupHeartbeat v0 but refuses it), no group configs, and no share or
// streams groups; the suite attacks what the broker has.
export const KAFKA4_GROUPS = await BROKER_FEATURE.consumerGroupRegex();
export const SHARE_AND_STREAMS = (await BROKER_FEATURE.shareGroups()) && (await BROKER_FEATURE.streamsGroups());

export const ZERO_ID = ZERO_UUID;
export const RESOURCE_TOPIC = ConfigResourceType.TOPIC;
export const RESOURCE_BROKER = ConfigResourceType.BROKER;
export const RESOURCE_BROKER_LOGGER = ConfigResourceType.BROKER_LOGGER;
export const RESOURCE_GROUP = ConfigResourceType.GROUP;

export const BOB_RETENTION = "987654321";
export const BOB_GROUP_SESSION_MS = "46789";

// Fresh names for each run of the suite (it runs once per runtime).
export let run = "";
export let ALICE = "";
export let BOB = "";
export let ALICE_PREFIX = "";
export let BOB_PREFIX = "";
export let BOB_RECORD = "";

export let kgate: KgateProcess;
export let backing: KafkaConnection;
export let alice: KafkaConnection;
export let bob: KafkaConnection;
export let aliceToken: string;
export let bobToken: string;
/** Highest version of each API alice's ApiVersions offers (vcluster ∩ codec ∩ broker). */
export const maxVersion = new Map<number, number>();
const minVersion = new Map<number, number>();

/** What bob's setup made, for the tests to aim at. */
export interface BobState {
  topicId: string;
  consumerOffsetsId: string;
  classicMemberId: string;
  classicGeneration: number;
  cgMemberId: string;
  cgMemberEpoch: number;
  producerId: bigint;
  producerEpoch: number;
}
const freshBobState = (): BobState => ({
  topicId: "",
  consumerOffsetsId: "",
  classicMemberId: "",
  classicGeneration: -1,
  cgMemberId: "",
  cgMemberEpoch: 0,
  producerId: -1n,
  producerEpoch: -1,
});
export const bobState = freshBobState();

const covered = new Set<number>();
/** Records that a test attacked these API keys (checked against ISOLATION_COVERAGE at the end). */
export function cover(...apiKeys: ApiKey[]): void {
  for (const k of apiKeys) covered.add(k);
}

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

// ---------------------------------------------------------------------------------------------
// helpers

export function brokerAddress(): { host: string; port: number } {
  // The bootstrap port: broker ports open once kgate has seen the backing metadata, and with a
  // single backing broker the bootstrap connection reaches the coordinator too.
  return { host: "127.0.0.1", port: kgate.port };
}

export function connectAs(username: string, token: string): Promise<KafkaConnection> {
  return KafkaConnection.open(runtime, [brokerAddress()], { sasl: { mechanism: "PLAIN", username, password: token }, clientId: `iso-${username}` });
}

/** The highest version of the API alice is offered. */
export function v(apiKey: ApiKey): number {
  const max = maxVersion.get(apiKey);
  if (max === undefined) throw new Error(`api key ${apiKey} is not offered to alice`);
  return max;
}

/** Whether alice may use `version` of the API (offered by kgate and the broker). */
export function offers(apiKey: ApiKey, version: number): boolean {
  return version >= (minVersion.get(apiKey) ?? Infinity) && version <= (maxVersion.get(apiKey) ?? -1);
}

const latin1 = new TextDecoder("latin1");

export function jsonOf(body: unknown): string {
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
export function assertClean(response: unknown, what: string, request?: unknown): void {
  const text = jsonOf(response);
  // What alice sent herself may come back as the name of the thing she asked about (with an
  // error, checked by each test); it tells her nothing. The rest must never appear.
  const sent = request === undefined ? "" : jsonOf(request);
  const forbidden = [
    "vc-bob",
    BOB_PREFIX,
    ALICE_PREFIX,
    "__consumer_offsets",
    "__transaction_state",
    "_kgate",
    BOB_RECORD,
    BOB_RETENTION,
    BOB_GROUP_SESSION_MS,
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
export async function asAlice<K extends ApiKey>(apiKey: K, version: number, body: RequestOf<K>, conn: KafkaConnection = alice): Promise<ResponseOf<K>> {
  const res = await conn.request(apiKey, version, body);
  assertClean(res, `${apiSpec(apiKey)!.name} v${version}`, body);
  return res;
}

function records(value: string): Uint8Array {
  return encodeRecordBatch([{ key: null, value: new TextEncoder().encode(value) }]);
}

export function produceBody(topic: { name?: string; topicId?: string }, value: string, transactionalId: string | null = null): ProduceRequest {
  return {
    transactionalId,
    acks: -1,
    timeoutMs: 10_000,
    topicData: [{ name: topic.name ?? "", topicId: topic.topicId ?? ZERO_ID, partitionData: [{ index: 0, records: records(value) }] }],
  };
}

export function fetchBody(topic: { name?: string; topicId?: string }): FetchRequest {
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

export function metadataBody(topics: Array<{ name: string | null; topicId?: string }> | null): MetadataRequest {
  return {
    topics: topics?.map((t) => ({ name: t.name, topicId: t.topicId ?? ZERO_ID })) ?? null,
    allowAutoTopicCreation: false,
    includeClusterAuthorizedOperations: false,
    includeTopicAuthorizedOperations: false,
  };
}

/** ConsumerProtocolSubscription v0: topics, null userData. */
export function subscriptionBytes(topics: string[]): Uint8Array {
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
  const res = await conn.request(API.CreateTopics, 7, {
    topics: [{ name, numPartitions: partitions, replicationFactor: 1, assignments: [], configs: [] }],
    timeoutMs: 30_000,
    validateOnly: false,
  });
  expect(res.topics[0]!.errorCode).toBe(E.NONE);
  await waitFor(`leaders of ${name}`, async () => {
    const md = await conn.request(API.Metadata, 12, metadataBody([{ name }]));
    const t = md.topics[0]!;
    return t.errorCode === 0 && t.partitions.length === partitions && t.partitions.every((p) => p.leaderId >= 0) ? true : undefined;
  });
}

/** One record to partition 0, retrying while a new partition's leader settles (NOT_LEADER_OR_FOLLOWER). */
async function produceOne(conn: KafkaConnection, topic: string, value: string): Promise<void> {
  await waitFor(`a record in ${topic}`, async () => {
    const res = await conn.request(API.Produce, Math.min(12, v(API.Produce)), produceBody({ name: topic }, value));
    const code = res.responses[0]!.partitionResponses[0]!.errorCode;
    if (code === 0) return true;
    if (code !== 6) throw new Error(`producing to ${topic}: error ${code}`);
    return undefined;
  });
}

type TopicMetadata = ResponseOf<typeof API.Metadata>["topics"][number];

/** Backing view of a topic: partitions and id, straight from the broker. */
export async function backingTopic(name: string): Promise<TopicMetadata> {
  const md = await backing.request(API.Metadata, 12, metadataBody([{ name }]));
  return md.topics[0]!;
}

export async function bobCommittedOffset(): Promise<bigint> {
  const res = await bob.request(API.OffsetFetch, 9, {
    groupId: "",
    topics: null,
    groups: [{ groupId: "bob-group", memberId: null, memberEpoch: -1, topics: [{ name: "secret", topicId: ZERO_ID, partitionIndexes: [0] }] }],
    requireStable: false,
  });
  return res.groups[0]!.topics[0]!.partitions[0]!.committedOffset;
}

export async function bobTransaction(): Promise<ResponseOf<typeof API.DescribeTransactions>["transactionStates"][number]> {
  const res = await bob.request(API.DescribeTransactions, 0, { transactionalIds: ["bob-tx"] });
  return res.transactionStates[0]!;
}

/** A Heartbeat of bob's classic member: bob sends it to check his member, alice to attack it. */
export function bobHeartbeatBody(): RequestOf<typeof API.Heartbeat> {
  return { groupId: "bob-group", generationId: bobState.classicGeneration, memberId: bobState.classicMemberId, groupInstanceId: null };
}

export async function bobHeartbeat(): Promise<number> {
  const res = await bob.request(API.Heartbeat, 4, bobHeartbeatBody());
  return res.errorCode;
}

export function bobCgHeartbeat(): Promise<ResponseOf<typeof API.ConsumerGroupHeartbeat>> {
  return bob.request(API.ConsumerGroupHeartbeat, 1, {
    groupId: "bob-cg",
    memberId: bobState.cgMemberId,
    memberEpoch: bobState.cgMemberEpoch,
    instanceId: null,
    rackId: null,
    rebalanceTimeoutMs: -1,
    subscribedTopicNames: null,
    subscribedTopicRegex: null,
    serverAssignor: null,
    topicPartitions: null,
  });
}

// ---------------------------------------------------------------------------------------------
// setup: two tenants; bob's resources made through kgate as bob

/**
 * Registers the isolation tests of one concern once per kgate runtime (Bun, Deno), each run
 * with a fresh kgate, fresh tenants and bob's resources, and a check at the end that the tests
 * attacked every API key ISOLATION_COVERAGE lists for the concern.
 */
export function isolationSuite(concern: IsolationConcern, tests: () => void): void {
  for (const kgateRuntime of ["bun", "deno"] as const) {
    describe(`isolation suite: ${concern} (kgate on ${kgateRuntime})`, () => {
      beforeAll(() => setUp(kgateRuntime), 120_000);
      afterAll(() => tearDown(concern));
      tests();
    });
  }
}

async function setUp(kgateRuntime: KgateRuntime): Promise<void> {
  freshRun();
  const bootstrap = await kafkaBootstrap();
  // (startKgate takes another port block when other test files hold one of its ports)
  kgate = await startKgate({ runtime: kgateRuntime, backing: bootstrap });
  await adminCall(kgate, "PUT", `/v1/vclusters/${ALICE}`);
  await adminCall(kgate, "PUT", `/v1/vclusters/${BOB}`);
  aliceToken = (await adminCall<{ token: string }>(kgate, "POST", `/v1/vclusters/${ALICE}/tokens`, { username: "alice" })).token;
  bobToken = (await adminCall<{ token: string }>(kgate, "POST", `/v1/vclusters/${BOB}/tokens`, { username: "bob" })).token;
  backing = await KafkaConnection.open(runtime, [parseHostPort(bootstrap)], { clientId: "iso-backing" });
  alice = await connectAs("alice", aliceToken);
  bob = await connectAs("bob", bobToken);

  const versions = await alice.request(API.ApiVersions, 3, { clientSoftwareName: "iso", clientSoftwareVersion: "1", clusterId: null, nodeId: -1 });
  expect(versions.errorCode).toBe(0);
  for (const k of versions.apiKeys) {
    maxVersion.set(k.apiKey, k.maxVersion);
    minVersion.set(k.apiKey, k.minVersion);
  }

  // bob's topic with a record and a topic config, and its id (through kgate and on the backing)
  await createTopic(bob, "secret", 2);
  await produceOne(bob, "secret", BOB_RECORD);
  const altered = await bob.request(API.IncrementalAlterConfigs, 1, {
    resources: [
      { resourceType: RESOURCE_TOPIC, resourceName: "secret", configs: [{ name: "retention.ms", configOperation: 0, value: BOB_RETENTION }] },
      ...(KAFKA4_GROUPS
        ? [{
          resourceType: RESOURCE_GROUP,
          resourceName: "bob-group",
          configs: [{ name: "consumer.session.timeout.ms", configOperation: 0, value: BOB_GROUP_SESSION_MS }],
        }]
        : []),
    ],
    validateOnly: false,
  });
  expect(altered.responses.map((r) => r.errorCode)).toEqual(KAFKA4_GROUPS ? [0, 0] : [0]);
  const bobMd = await bob.request(API.Metadata, 12, metadataBody([{ name: "secret" }]));
  bobState.topicId = bobMd.topics[0]!.topicId;
  const direct = await backingTopic(`${BOB_PREFIX}secret`);
  expect(direct.errorCode).toBe(0);
  expect(direct.topicId).toBe(bobState.topicId);
  // A fresh broker creates __consumer_offsets at the first group coordinator lookup.
  bobState.consumerOffsetsId = await waitFor("__consumer_offsets", async () => {
    await backing.request(API.FindCoordinator, 4, { key: "", keyType: 0, coordinatorKeys: [`${BOB_PREFIX}bob-group`] });
    const { topicId } = await backingTopic("__consumer_offsets");
    return topicId === ZERO_ID ? undefined : topicId;
  });
  expect(bobState.consumerOffsetsId).not.toBe(ZERO_ID);

  // bob-group: committed offset 1 on secret/0, then a live classic member
  const commit = await bob.request(API.OffsetCommit, 9, {
    groupId: "bob-group",
    generationIdOrMemberEpoch: -1,
    memberId: "",
    groupInstanceId: null,
    retentionTimeMs: -1n,
    topics: [{
      name: "secret",
      topicId: ZERO_ID,
      partitions: [{ partitionIndex: 0, committedOffset: 1n, committedLeaderEpoch: -1, committedMetadata: "bob" }],
    }],
  });
  expect(commit.topics[0]!.partitions[0]!.errorCode).toBe(0);
  const join = (memberId: string) =>
    bob.request(API.JoinGroup, 9, {
      groupId: "bob-group",
      sessionTimeoutMs: 300_000,
      rebalanceTimeoutMs: 300_000,
      memberId,
      groupInstanceId: null,
      protocolType: "consumer",
      protocols: [{ name: "range", metadata: subscriptionBytes(["secret"]) }],
      reason: null,
    });
  const first = await join("");
  expect(first.errorCode).toBe(E.MEMBER_ID_REQUIRED);
  const joined = await join(first.memberId);
  expect(joined.errorCode).toBe(0);
  bobState.classicMemberId = joined.memberId;
  bobState.classicGeneration = joined.generationId;
  const synced = await bob.request(API.SyncGroup, 5, {
    groupId: "bob-group",
    generationId: joined.generationId,
    memberId: joined.memberId,
    groupInstanceId: null,
    protocolType: "consumer",
    protocolName: "range",
    assignments: [{ memberId: joined.memberId, assignment: assignmentBytes(["secret"]) }],
  });
  expect(synced.errorCode).toBe(0);
  expect(await bobHeartbeat()).toBe(0);

  if (KAFKA4_GROUPS) {
    // bob-cg: a KIP-848 member subscribed to secret
    bobState.cgMemberId = crypto.randomUUID();
    const cg = await bob.request(API.ConsumerGroupHeartbeat, 1, {
      groupId: "bob-cg",
      memberId: bobState.cgMemberId,
      memberEpoch: 0,
      instanceId: null,
      rackId: null,
      rebalanceTimeoutMs: 300_000,
      subscribedTopicNames: ["secret"],
      subscribedTopicRegex: null,
      serverAssignor: null,
      topicPartitions: [],
    });
    expect(cg.errorCode).toBe(0);
    bobState.cgMemberEpoch = cg.memberEpoch;
  }

  // bob-tx: an ongoing transaction on secret/0
  // A fresh broker creates __transaction_state when a client first looks up a transaction
  // coordinator, as every client does before InitProducerId (without it, a broker that never
  // had a transaction answers NOT_COORDINATOR forever), then loads it: retry while it says so
  // (COORDINATOR_LOAD_IN_PROGRESS, COORDINATOR_NOT_AVAILABLE, NOT_COORDINATOR).
  const initProducer = async () => {
    await bob.request(API.FindCoordinator, 4, { key: "", keyType: 1, coordinatorKeys: ["bob-tx"] });
    return bob.request(API.InitProducerId, 4, {
      transactionalId: "bob-tx",
      transactionTimeoutMs: 600_000,
      producerId: -1n,
      producerEpoch: -1,
      enable2Pc: false,
      keepPreparedTxn: false,
    });
  };
  let pid = await initProducer();
  for (let attempt = 1; attempt < 60 && [14, 15, 16].includes(pid.errorCode); attempt++) {
    await new Promise((r) => setTimeout(r, 500));
    pid = await initProducer();
  }
  expect(pid.errorCode).toBe(0);
  bobState.producerId = pid.producerId;
  bobState.producerEpoch = pid.producerEpoch;
  const added = await bob.request(API.AddPartitionsToTxn, 3, {
    transactions: [],
    v3AndBelowTransactionalId: "bob-tx",
    v3AndBelowProducerId: pid.producerId,
    v3AndBelowProducerEpoch: pid.producerEpoch,
    v3AndBelowTopics: [{ name: "secret", partitions: [0] }],
  });
  expect(added.resultsByTopicV3AndBelow[0]!.resultsByPartition[0]!.partitionErrorCode).toBe(0);
  expect((await bobTransaction()).transactionState).toBe("Ongoing");

  // alice's own topics, so that her lists are not trivially empty
  await createTopic(alice, "orders", 1);
  await createTopic(alice, "payments", 2);
  await produceOne(alice, "orders", "alice-record");
}

async function tearDown(concern: IsolationConcern): Promise<void> {
  // An API the backing broker does not serve (an older Kafka) cannot be attacked through it.
  const refusedByBroker: number[] = KAFKA4_GROUPS ? [] : [API.ConsumerGroupHeartbeat, API.ConsumerGroupDescribe];
  const listed: readonly number[] = ISOLATION_COVERAGE[concern];
  const missing = listed.filter((k) => maxVersion.has(k) && !refusedByBroker.includes(k) && !covered.has(k));
  const unlisted = [...covered].filter((k) => !listed.includes(k));
  const names = (keys: number[]) => keys.sort((a, b) => a - b).map((k) => `${k} ${apiSpec(k)?.name}`).join(", ");
  console.log(`isolation suite (${concern}) covered ${covered.size} of the ${listed.length} API keys listed for it: ${names([...covered])}`);
  if (missing.length > 0) console.log(`API keys listed for ${concern} without an isolation test: ${names(missing)}`);
  try {
    if (bob && !bob.closed && bobState.classicMemberId) {
      await bob.request(API.LeaveGroup, 5, {
        groupId: "bob-group",
        memberId: "",
        members: [{ memberId: bobState.classicMemberId, groupInstanceId: null, reason: "done" }],
      }).catch(() => {});
      await bob.request(API.ConsumerGroupHeartbeat, 1, {
        groupId: "bob-cg",
        memberId: bobState.cgMemberId,
        memberEpoch: -1,
        instanceId: null,
        rackId: null,
        rebalanceTimeoutMs: -1,
        subscribedTopicNames: null,
        subscribedTopicRegex: null,
        serverAssignor: null,
        topicPartitions: null,
      }).catch(() => {});
      // Bob's transaction, unless a test already ended it (then this answers an error code).
      await bob.request(API.EndTxn, 4, {
        transactionalId: "bob-tx",
        producerId: bobState.producerId,
        producerEpoch: bobState.producerEpoch,
        committed: false,
      }).catch(() => {});
    }
    if (backing) {
      // Groups and topics go, so the broker does not fill up.
      const groups = await backing.request(API.ListGroups, 5, { statesFilter: [], typesFilter: [] }).catch(() => ({ groups: [] }));
      const ours = groups.groups.map((g) => g.groupId).filter((g) => g.startsWith(ALICE_PREFIX) || g.startsWith(BOB_PREFIX));
      if (ours.length > 0) await backing.request(API.DeleteGroups, 2, { groupsNames: ours }).catch(() => {});
      await backing.request(API.DeleteTopics, 6, {
        topics: [`${BOB_PREFIX}secret`, `${ALICE_PREFIX}orders`, `${ALICE_PREFIX}payments`].map((name) => ({ name, topicId: ZERO_ID })),
        topicNames: [],
        timeoutMs: 30_000,
      }).catch(() => {});
    }
  } finally {
    for (const c of [alice, bob, backing]) c?.close();
    if (kgate) expect(await kgate.stop()).toBe(0);
  }
  expect(missing).toEqual([]);
  expect(unlisted).toEqual([]);
}
