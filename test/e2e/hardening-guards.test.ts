// Tenant data-plane guards, attacked through kgate against the real broker: a tenant's regex
// cannot stall another tenant, a tenant cannot fetch as a follower, the backing cluster sees the
// tenant in every client id (so client-id quotas tell tenants apart), and log-dir paths, broker
// config sources and backing error messages do not reach a tenant.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { KafkaConnection } from "../../src/client/kafka-connection.ts";
import { encodeRecordBatch } from "../../src/client/record-batch.ts";
import { parseHostPort } from "../../src/client/upstream.ts";
import { runtime } from "../../src/runtime/index.ts";
import { kafkaBootstrap } from "../support/kafka.ts";
import { adminCall, type KgateProcess, startKgate } from "../support/kgate-process.ts";
import { waitFor } from "../support/wait.ts";

// deno-lint-ignore no-explicit-any
type Msg = any;

const API = {
  Produce: 0,
  Fetch: 1,
  Metadata: 3,
  CreateTopics: 19,
  DeleteTopics: 20,
  FindCoordinator: 10,
  InitProducerId: 22,
  DescribeConfigs: 32,
  DescribeLogDirs: 35,
  DeleteGroups: 42,
  AlterClientQuotas: 49,
  ListTransactions: 66,
  ConsumerGroupHeartbeat: 68,
  ConsumerGroupDescribe: 69,
} as const;
const ZERO_ID = "0".repeat(32);
const RESOURCE_TOPIC = 2;
const TOPIC_CONFIG = 1;
const DEFAULT_CONFIG = 5;
const INVALID_TOPIC_EXCEPTION = 17;
const INVALID_RECORD = 87;
/** Wide on purpose (2 shared cores): an unguarded regex stalls for many seconds, or forever. */
const STALL_BOUND_MS = 2000;

const utf8 = new TextEncoder();
const records = (value: string | Uint8Array, key: string | null = null) =>
  encodeRecordBatch([{ key: key === null ? null : utf8.encode(key), value: typeof value === "string" ? utf8.encode(value) : value }]);

function metadataBody(names: string[] | null) {
  return {
    topics: names?.map((name) => ({ name, topicId: ZERO_ID })) ?? null,
    allowAutoTopicCreation: false,
    includeClusterAuthorizedOperations: false,
    includeTopicAuthorizedOperations: false,
  };
}

function fetchBody(topic: { name?: string; topicId?: string }, replica: { replicaId?: number; replicaState?: Msg } = {}) {
  const partition = { partition: 0, currentLeaderEpoch: -1, fetchOffset: 0n, lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes: 1 << 20 };
  return {
    replicaId: replica.replicaId ?? -1,
    replicaState: replica.replicaState,
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

function produceBody(topic: string, batch: Uint8Array) {
  return { transactionalId: null, acks: -1, timeoutMs: 10_000, topicData: [{ name: topic, topicId: ZERO_ID, partitionData: [{ index: 0, records: batch }] }] };
}

/** Creates a topic and waits until partition 0 takes records (a new leader may still settle). */
async function createTopic(conn: KafkaConnection, name: string, configs: Array<{ name: string; value: string }> = []): Promise<Msg> {
  const res: Msg = await conn.request(API.CreateTopics, 7, {
    topics: [{ name, numPartitions: 1, replicationFactor: 1, assignments: [], configs }],
    timeoutMs: 30_000,
    validateOnly: false,
  });
  expect(res.topics[0].errorCode).toBe(0);
  await waitFor(`leader of ${name}`, async () => {
    const md: Msg = await conn.request(API.Metadata, 12, metadataBody([name]));
    return md.topics[0].errorCode === 0 && md.topics[0].partitions[0]?.leaderId >= 0 ? true : undefined;
  });
  return res;
}

/** Round trip of one request, or `limitMs` if it has not come back by then. */
async function roundTrip(send: () => Promise<unknown>, limitMs: number): Promise<number> {
  const start = performance.now();
  const timeout = new Promise<void>((r) => setTimeout(r, limitMs));
  await Promise.race([send().catch(() => {}), timeout]);
  return Math.round(performance.now() - start);
}

for (const kgateRuntime of ["bun", "deno"] as const) {
  describe(`tenant data-plane guards (${kgateRuntime})`, () => {
    const run = Math.random().toString(36).slice(2, 8);
    const ALICE = `vc-guard-a-${run}`;
    const BOB = `vc-guard-b-${run}`;
    let kgate: KgateProcess;
    let backing: KafkaConnection;
    let aliceToken = "";
    let bobToken = "";
    const open: KafkaConnection[] = [];
    const backingTopics: string[] = [];
    const quotaEntities: string[] = [];

    const connect = async (username: string, token: string, clientId: string) => {
      const c = await KafkaConnection.open(runtime, [{ host: "127.0.0.1", port: kgate.port }], {
        sasl: { mechanism: "PLAIN", username, password: token },
        clientId,
      });
      open.push(c);
      return c;
    };
    const asAlice = (clientId = "guards-alice") => connect("alice", aliceToken, clientId);
    const asBob = (clientId = "guards-bob") => connect("bob", bobToken, clientId);

    beforeAll(async () => {
      const bootstrap = await kafkaBootstrap();
      kgate = await startKgate({ runtime: kgateRuntime, backing: bootstrap });
      for (const vc of [ALICE, BOB]) await adminCall(kgate, "PUT", `/v1/vclusters/${vc}`);
      aliceToken = (await adminCall<{ token: string }>(kgate, "POST", `/v1/vclusters/${ALICE}/tokens`, { username: "alice" })).token;
      bobToken = (await adminCall<{ token: string }>(kgate, "POST", `/v1/vclusters/${BOB}/tokens`, { username: "bob" })).token;
      backing = await KafkaConnection.open(runtime, [parseHostPort(bootstrap)], { clientId: "guards-backing" });
      backingTopics.push(`${ALICE}.logs`, `${ALICE}.compacted`, `${ALICE}_clash`);
    }, 60_000);

    afterAll(async () => {
      for (const c of open) c.close();
      if (backing) {
        if (quotaEntities.length > 0) {
          await backing.request(API.AlterClientQuotas, 1, {
            entries: quotaEntities.map((entityName) => ({
              entity: [{ entityType: "client-id", entityName }],
              ops: [{ key: "producer_byte_rate", value: 0, remove: true }],
            })),
            validateOnly: false,
          }).catch(() => {});
        }
        await backing.requestUntyped(API.DeleteTopics, 6, { topics: backingTopics.map((name) => ({ name, topicId: ZERO_ID })), timeoutMs: 30_000 }).catch(
          () => {},
        );
        backing.close();
      }
      // An unguarded regex can leave kgate busy for minutes; stop() falls back to SIGKILL.
      await kgate?.stop();
    }, 60_000);

    test("a catastrophic-backtracking pattern from one tenant does not stall another tenant", async () => {
      const alice = await asAlice();
      const bob = await asBob();
      // Transactional ids that make a backtracking engine explore every way to split the a's (x's).
      const attacks = [
        { pattern: "(a+)+$", ids: [1, 2, 3].map((i) => `${"a".repeat(33 + i)}b`) },
        { pattern: "(x+x+)+y", ids: [1, 2, 3].map((i) => "x".repeat(33 + i)) },
      ];
      for (const { ids } of attacks) {
        for (const transactionalId of ids) {
          // On a fresh broker the transaction coordinator is still loading (14) or moving (15, 16):
          // retriable, as real clients treat it.
          let res: Msg = { errorCode: -1 };
          for (let attempt = 0; attempt < 40; attempt++) {
            // FindCoordinator is what makes a fresh broker create __transaction_state at all.
            if (attempt > 0) await alice.request(API.FindCoordinator, 3, { key: transactionalId, keyType: 1, coordinatorKeys: [] });
            res = await alice.request(API.InitProducerId, 4, {
              transactionalId,
              transactionTimeoutMs: 60_000,
              producerId: -1n,
              producerEpoch: -1,
              enable2Pc: false,
              keepPreparedTxn: false,
            });
            if (![14, 15, 16].includes(res.errorCode as number)) break;
            await new Promise((r) => setTimeout(r, 250));
          }
          expect(res.errorCode).toBe(0);
        }
      }
      const metadata = () => bob.request(API.Metadata, 12, metadataBody(null));
      const baseline = await roundTrip(metadata, 10_000);
      for (const { pattern, ids } of attacks) {
        const attack = alice.requestUntyped<Msg>(API.ListTransactions, 2, {
          stateFilters: [],
          producerIdFilters: [],
          durationFilter: -1n,
          transactionalIdPattern: pattern,
        });
        await new Promise((r) => setTimeout(r, 100)); // let the attack reach kgate and the broker answer it
        const samples: number[] = [];
        for (let i = 0; i < 5; i++) samples.push(await roundTrip(metadata, 5000));
        const listed: Msg = await Promise.race([attack, new Promise((r) => setTimeout(() => r({ timedOut: true }), 10_000))]);
        console.log(`[${kgateRuntime}] pattern ${pattern}: bob's Metadata round trips ${samples.join(", ")} ms (baseline ${baseline} ms)`);
        expect(Math.max(...samples)).toBeLessThan(STALL_BOUND_MS);
        // Full match, as the broker applies the pattern: none of the ids match, a matching one would.
        expect(listed.errorCode).toBe(0);
        expect(listed.transactionStates.map((t: Msg) => t.transactionalId).filter((t: string) => ids.includes(t))).toEqual([]);
      }
      const matching: Msg = await alice.request(API.ListTransactions, 2, {
        stateFilters: [],
        producerIdFilters: [],
        durationFilter: -1n,
        transactionalIdPattern: "a+b",
      });
      expect(matching.transactionStates.map((t: Msg) => t.transactionalId).sort()).toEqual([...attacks[0]!.ids].sort());
    }, 90_000);

    test("KIP-848: an empty regex keeps the broker's meaning (no regex) and is not anchored", async () => {
      const alice = await asAlice();
      const groupId = `guards-cg-${run}`;
      const memberId = crypto.randomUUID();
      const heartbeat = (body: Msg) =>
        alice.requestUntyped<Msg>(API.ConsumerGroupHeartbeat, 1, {
          groupId,
          memberId,
          instanceId: null,
          rackId: null,
          serverAssignor: null,
          topicPartitions: null,
          rebalanceTimeoutMs: -1,
          ...body,
        });
      const backingRegex = async () => {
        const d: Msg = await backing.request(API.ConsumerGroupDescribe, 1, { groupIds: [`${ALICE}.${groupId}`], includeAuthorizedOperations: false });
        return d.groups[0].members.find((m: Msg) => m.memberId === memberId)?.subscribedTopicRegex;
      };
      try {
        // A fresh broker creates __consumer_offsets on the first FindCoordinator; until it is loaded
        // the join is answered with a retriable coordinator error (14, 15, 16).
        let joined: Msg = { errorCode: -1 };
        for (let attempt = 0; attempt < 40; attempt++) {
          if (attempt > 0) await alice.request(API.FindCoordinator, 3, { key: groupId, keyType: 0, coordinatorKeys: [] });
          joined = await heartbeat({ memberEpoch: 0, rebalanceTimeoutMs: 30_000, subscribedTopicNames: [], subscribedTopicRegex: "o.*", topicPartitions: [] });
          if (![14, 15, 16].includes(joined.errorCode as number)) break;
          await new Promise((r) => setTimeout(r, 250));
        }
        expect(joined.errorCode).toBe(0);
        expect(await backingRegex()).toBe(`^${ALICE.replaceAll("-", "\\-")}\\.(?:o.*)$`);
        const cleared = await heartbeat({ memberEpoch: joined.memberEpoch, subscribedTopicNames: ["orders"], subscribedTopicRegex: "" });
        expect(cleared.errorCode).toBe(0);
        expect(await backingRegex()).toBe("");
        const described: Msg = await alice.request(API.ConsumerGroupDescribe, 1, { groupIds: [groupId], includeAuthorizedOperations: false });
        expect(described.groups[0].members.map((m: Msg) => m.subscribedTopicRegex)).toEqual([""]);
      } finally {
        await heartbeat({ memberEpoch: -1, subscribedTopicNames: null, subscribedTopicRegex: null }).catch(() => {});
        await backing.request(API.DeleteGroups, 2, { groupsNames: [`${ALICE}.${groupId}`] }).catch(() => {});
      }
    }, 30_000);

    test("a tenant cannot fetch as a follower: replica ids are forced to the consumer's", async () => {
      const alice = await asAlice();
      await createTopic(alice, "logs");
      const produced: Msg = await alice.request(API.Produce, 7, produceBody("logs", records("alice-record")));
      expect(produced.responses[0].partitionResponses[0].errorCode).toBe(0);
      // As a follower (replica id 1 is the broker's own node id), the broker answers
      // NOT_LEADER_OR_FOLLOWER without records; as a consumer, the record comes back.
      for (const replicaId of [1, 7]) {
        const res: Msg = await alice.request(API.Fetch, 12, fetchBody({ name: "logs" }, { replicaId }));
        const p = res.responses[0].partitions[0];
        expect([replicaId, p.errorCode, p.records.length > 0]).toEqual([replicaId, 0, true]);
      }
      const md: Msg = await alice.request(API.Metadata, 12, metadataBody(["logs"]));
      const topicId = md.topics[0].topicId;
      const res: Msg = await alice.request(API.Fetch, 15, fetchBody({ topicId }, { replicaState: { replicaId: 1, replicaEpoch: 5n } }));
      expect(res.responses[0].partitions[0].errorCode).toBe(0);
      expect(res.responses[0].partitions[0].records.length).toBeGreaterThan(0);
    }, 60_000);

    test("the client id reaching the backing cluster carries the tenant, so client-id quotas tell tenants apart", async () => {
      // A tight produce quota on alice's form of the client id only: alice is throttled, bob,
      // with the same client id, is not. Before, the broker saw the bare client id for both.
      const clientId = `quota-probe-${run}`;
      const entity = `${ALICE}/${clientId}`;
      quotaEntities.push(entity);
      const set: Msg = await backing.request(API.AlterClientQuotas, 1, {
        entries: [{ entity: [{ entityType: "client-id", entityName: entity }], ops: [{ key: "producer_byte_rate", value: 1024, remove: false }] }],
        validateOnly: false,
      });
      expect(set.entries[0].errorCode).toBe(0);
      await new Promise((r) => setTimeout(r, 1000)); // the quota travels through the metadata log
      const big = records(new Uint8Array(256 * 1024).fill(120));
      const alice = await asAlice(clientId);
      const bob = await asBob(clientId);
      await createTopic(alice, "quota");
      await createTopic(bob, "quota");
      backingTopics.push(`${ALICE}.quota`, `${BOB}.quota`);
      const bobRes: Msg = await bob.request(API.Produce, 7, produceBody("quota", big));
      const aliceRes: Msg = await alice.request(API.Produce, 7, produceBody("quota", big));
      console.log(`[${kgateRuntime}] throttle for client id ${clientId}: alice ${aliceRes.throttleTimeMs} ms, bob ${bobRes.throttleTimeMs} ms`);
      expect(aliceRes.responses[0].partitionResponses[0].errorCode).toBe(0);
      expect(bobRes.responses[0].partitionResponses[0].errorCode).toBe(0);
      expect(aliceRes.throttleTimeMs).toBeGreaterThan(0);
      expect(bobRes.throttleTimeMs).toBe(0);
      // Flexible (header v2) and older (header v1) requests alike still work with the new client id.
      const fetched: Msg = await bob.request(API.Fetch, 4, fetchBody({ name: "quota" }));
      expect(fetched.responses[0].partitions[0].records.length).toBeGreaterThan(0);
      const md: Msg = await bob.request(API.Metadata, 12, metadataBody(["quota"]));
      expect(md.topics[0].errorCode).toBe(0);
    }, 60_000);

    test("log-dir paths, broker config sources and backing error messages do not reach a tenant", async () => {
      const alice = await asAlice();
      const created = await createTopic(alice, "compacted", [{ name: "cleanup.policy", value: "compact" }]);
      // What CreateTopics reports about the new topic's configs: no broker-level sources.
      const createdSources = new Set<number>(created.topics[0].configs.map((c: Msg) => c.configSource));
      expect([...createdSources].filter((s) => s !== TOPIC_CONFIG && s !== DEFAULT_CONFIG)).toEqual([]);

      // The partition's log appears on the broker a moment after CreateTopics returns.
      const dirs: Msg = await waitFor("the new topic in DescribeLogDirs", async () => {
        const res: Msg = await alice.request(API.DescribeLogDirs, 4, { topics: [{ topic: "compacted", partitions: [0] }] });
        return res.results.some((r: Msg) => r.topics.length > 0) ? res : undefined;
      }, 10_000);
      const direct: Msg = await backing.request(API.DescribeLogDirs, 4, { topics: [{ topic: `${ALICE}.compacted`, partitions: [0] }] });
      const backingDirs = direct.results.map((r: Msg) => r.logDir);
      expect(dirs.results.length).toBe(direct.results.length);
      for (const r of dirs.results) {
        expect(r.logDir).not.toContain("/");
        expect(backingDirs).not.toContain(r.logDir);
        expect([r.totalBytes, r.usableBytes]).toEqual([-1n, -1n]);
      }
      expect(dirs.results.flatMap((r: Msg) => r.topics.map((t: Msg) => t.name))).toContain("compacted");

      const described: Msg = await alice.request(API.DescribeConfigs, 4, {
        resources: [{ resourceType: RESOURCE_TOPIC, resourceName: "compacted", configurationKeys: null }],
        includeSynonyms: true,
        includeDocumentation: false,
      });
      const configs: Msg[] = described.results[0].configs;
      expect(configs.find((c) => c.name === "cleanup.policy")).toMatchObject({ value: "compact", configSource: TOPIC_CONFIG });
      expect(configs.filter((c) => c.configSource !== TOPIC_CONFIG && c.configSource !== DEFAULT_CONFIG).map((c) => c.name)).toEqual([]);
      expect(configs.flatMap((c) => c.synonyms).filter((s: Msg) => s.source !== TOPIC_CONFIG)).toEqual([]);

      // Produce: the broker's messages name the backing partition; the tenant sees its own name.
      const produced: Msg = await alice.request(API.Produce, 9, produceBody("compacted", records("no key")));
      const p = produced.responses[0].partitionResponses[0];
      expect(p.errorCode).toBe(INVALID_RECORD);
      const messages = [p.errorMessage, ...p.recordErrors.map((e: Msg) => e.batchIndexErrorMessage)];
      for (const m of messages) {
        expect(m).toContain("compacted-0");
        expect(m).not.toContain(ALICE);
      }

      // CreateTopics: Kafka names the existing topic a new one collides with; that topic is a
      // backing topic outside alice's cluster, so the message must not reach her.
      const made: Msg = await backing.request(API.CreateTopics, 7, {
        topics: [{ name: `${ALICE}_clash`, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }],
        timeoutMs: 30_000,
        validateOnly: false,
      });
      expect(made.topics[0].errorCode).toBe(0);
      const clash: Msg = await alice.request(API.CreateTopics, 7, {
        topics: [{ name: "clash", numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }],
        timeoutMs: 30_000,
        validateOnly: false,
      });
      expect(clash.topics[0].errorCode).toBe(INVALID_TOPIC_EXCEPTION);
      expect(clash.topics[0].errorMessage).not.toContain(ALICE);
      expect(clash.topics[0].errorMessage).not.toContain("_clash");
    }, 60_000);
  });
}
