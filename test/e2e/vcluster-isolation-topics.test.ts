// The isolation suite, topics by name and by topic id: create, delete, produce, fetch (and fetch sessions), offsets,
// partitions, producers, log dirs and reassignments never reach bob's topic.
// Two tenants on one kgate and one real broker; the setup and the leak check of every response
// are in test/support/isolation/fixture.ts. Runs once with kgate on Bun and once on Deno.
import { describe, expect, test } from "bun:test";
import {
  alice,
  ALICE_PREFIX,
  API,
  asAlice,
  backing,
  backingTopic,
  BOB_PREFIX,
  BOB_RECORD,
  bobState,
  cover,
  E,
  fetchBody,
  isolationSuite,
  jsonOf,
  metadataBody,
  offers,
  produceBody,
  v,
  ZERO_ID,
} from "../support/isolation/fixture.ts";

isolationSuite("topics", () => {
  describe("topics: by name, by topic id, records", () => {
    test("CreateTopics: bob's name is free in alice's cluster (no TOPIC_ALREADY_EXISTS); too long a name is INVALID_TOPIC_EXCEPTION", async () => {
      const version = v(API.CreateTopics);
      const topic = (name: string) => ({ name, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] });
      const res = await asAlice(API.CreateTopics, version, {
        topics: [topic("secret"), topic(`${BOB_PREFIX}secret`), topic("__consumer_offsets")],
        timeoutMs: 10_000,
        validateOnly: true,
      });
      // no error reveals that bob (or the broker) has a topic of that name
      for (const t of res.topics) expect(t.errorCode).not.toBe(36);
      expect(res.topics.map((t) => t.name)).toEqual(["secret", `${BOB_PREFIX}secret`, "__consumer_offsets"].map((n) => n));
      const room = 249 - ALICE_PREFIX.length;
      const long = await asAlice(API.CreateTopics, version, {
        topics: [topic("x".repeat(room + 1)), topic("y".repeat(room))],
        timeoutMs: 10_000,
        validateOnly: true,
      });
      const byName = new Map(long.topics.map((t) => [t.name, t]));
      const tooLong = byName.get("x".repeat(room + 1));
      expect(tooLong!.errorCode).toBe(E.INVALID_TOPIC_EXCEPTION);
      expect(tooLong!.errorMessage).toContain(`${room}`);
      expect(byName.get("y".repeat(room))!.errorCode).toBe(0);
      const tooLongAlone = await asAlice(API.CreateTopics, version, { topics: [topic("z".repeat(300))], timeoutMs: 10_000, validateOnly: false });
      expect(tooLongAlone.topics.map((t) => t.errorCode)).toEqual([E.INVALID_TOPIC_EXCEPTION]);
      cover(API.CreateTopics);
    });

    test("DeleteTopics by name (v5) and by id (v6) cannot delete bob's topic", async () => {
      if (offers(API.DeleteTopics, 5)) {
        const byName = await asAlice(API.DeleteTopics, 5, { topics: [], topicNames: ["secret", "__consumer_offsets"], timeoutMs: 10_000 });
        expect(byName.responses.map((r) => r.errorCode)).toEqual([3, 3]);
      }
      const version = v(API.DeleteTopics);
      expect(version).toBeGreaterThanOrEqual(6);
      const byId = await asAlice(API.DeleteTopics, version, {
        topics: [{ name: null, topicId: bobState.topicId }, { name: null, topicId: bobState.consumerOffsetsId }],
        topicNames: [],
        timeoutMs: 10_000,
      });
      expect(byId.responses.map((r) => r.errorCode)).toEqual([E.UNKNOWN_TOPIC_ID, E.UNKNOWN_TOPIC_ID]);
      const byName6 = await asAlice(API.DeleteTopics, version, { topics: [{ name: "secret", topicId: ZERO_ID }], topicNames: [], timeoutMs: 10_000 });
      expect(byName6.responses.map((r) => r.errorCode)).toEqual([3]);
      const still = await backingTopic(`${BOB_PREFIX}secret`);
      expect(still.errorCode).toBe(0);
      expect(still.topicId).toBe(bobState.topicId);
      cover(API.DeleteTopics);
    });

    test("Produce by name (v12) and by topic id (v13) cannot write to bob's topic", async () => {
      const before = await backingTopic(`${BOB_PREFIX}secret`);
      const byName = await asAlice(API.Produce, Math.min(12, v(API.Produce)), produceBody({ name: "secret" }, "alice-was-here"));
      expect(byName.responses[0]!.partitionResponses[0]!.errorCode).toBe(3);
      if (offers(API.Produce, 13)) {
        const byId = await asAlice(API.Produce, 13, produceBody({ topicId: bobState.topicId }, "alice-was-here"));
        expect(byId.responses[0]!.partitionResponses[0]!.errorCode).toBe(E.UNKNOWN_TOPIC_ID);
      }
      const end = await backing.request(API.ListOffsets, 9, {
        replicaId: -1,
        isolationLevel: 0,
        timeoutMs: 5000,
        topics: [{ name: `${BOB_PREFIX}secret`, partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1n }] }],
      });
      expect(end.topics[0]!.partitions[0]!.offset).toBe(1n); // only bob's one record
      expect(before.partitions.length).toBe(2);
      cover(API.Produce);
    });

    test("Fetch by name (v12) and by topic id (v13+) returns no records of bob's", async () => {
      const byName = await asAlice(API.Fetch, 12, fetchBody({ name: "secret" }));
      expect(byName.responses.flatMap((r) => r.partitions.map((p) => p.errorCode))).toEqual([3]);
      for (const version of new Set([13, v(API.Fetch)])) {
        if (!offers(API.Fetch, version)) continue;
        const byId = await asAlice(API.Fetch, version, fetchBody({ topicId: bobState.topicId }));
        expect(byId.responses.flatMap((r) => r.partitions.map((p) => p.errorCode))).toEqual([E.UNKNOWN_TOPIC_ID]);
      }
      // a fetch session: alice's own topic plus bob's id; the session never yields bob's partition
      const session = await asAlice(API.Fetch, v(API.Fetch), {
        ...fetchBody({ name: "orders" }),
        sessionId: 0,
        sessionEpoch: 0,
        topics: [fetchBody({ topicId: await aliceMetadataId("orders") }).topics[0]!, fetchBody({ topicId: bobState.topicId }).topics[0]!],
      });
      const ok = session.responses.filter((r) => r.partitions.every((p) => p.errorCode === 0));
      expect(ok.length).toBe(1);
      if (session.sessionId !== 0) {
        const next = await asAlice(API.Fetch, v(API.Fetch), { ...fetchBody({}), sessionId: session.sessionId, sessionEpoch: 1, topics: [] });
        expect(next.errorCode).toBe(0);
        expect(jsonOf(next)).not.toContain(BOB_RECORD);
      }
      // Fetch sessions live in the broker under a bare number: one not opened on this connection
      // (e.g. guessed from another tenant) is refused before it reaches the broker.
      const foreignSession = await asAlice(API.Fetch, v(API.Fetch), { ...fetchBody({}), sessionId: session.sessionId + 1, sessionEpoch: 1, topics: [] });
      expect(foreignSession.errorCode).toBe(70); // FETCH_SESSION_ID_NOT_FOUND
      expect(foreignSession.responses).toEqual([]);
      cover(API.Fetch);
    });

    test("ListOffsets, OffsetForLeaderEpoch, DeleteRecords, CreatePartitions, DescribeProducers: bob's topic is unknown", async () => {
      const lo = await asAlice(API.ListOffsets, v(API.ListOffsets), {
        replicaId: -1,
        isolationLevel: 0,
        timeoutMs: 5000,
        topics: ["secret", "__consumer_offsets"].map((name) => ({ name, partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1n }] })),
      });
      expect(lo.topics.map((t) => t.partitions[0]!.errorCode)).toEqual([3, 3]);
      cover(API.ListOffsets);

      const ofle = await asAlice(API.OffsetForLeaderEpoch, v(API.OffsetForLeaderEpoch), {
        replicaId: -1,
        topics: [{ topic: "secret", partitions: [{ partition: 0, currentLeaderEpoch: -1, leaderEpoch: 0 }] }],
      });
      expect(ofle.topics[0]!.partitions[0]!.errorCode).toBe(3);
      cover(API.OffsetForLeaderEpoch);

      const dr = await asAlice(API.DeleteRecords, v(API.DeleteRecords), {
        topics: [{ name: "secret", partitions: [{ partitionIndex: 0, offset: 1n }] }],
        timeoutMs: 5000,
      });
      expect(dr.topics[0]!.partitions[0]!.errorCode).toBe(3);
      const start = await backing.request(API.ListOffsets, 9, {
        replicaId: -1,
        isolationLevel: 0,
        timeoutMs: 5000,
        topics: [{ name: `${BOB_PREFIX}secret`, partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -2n }] }],
      });
      expect(start.topics[0]!.partitions[0]!.offset).toBe(0n);
      cover(API.DeleteRecords);

      const cp = await asAlice(API.CreatePartitions, v(API.CreatePartitions), {
        topics: [{ name: "secret", count: 5, assignments: null }],
        timeoutMs: 5000,
        validateOnly: false,
      });
      expect(cp.results[0]!.errorCode).toBe(3);
      expect((await backingTopic(`${BOB_PREFIX}secret`)).partitions.length).toBe(2);
      cover(API.CreatePartitions);

      const dp = await asAlice(API.DescribeProducers, v(API.DescribeProducers), { topics: [{ name: "secret", partitionIndexes: [0, 1] }] });
      expect(dp.topics[0]!.partitions.map((p) => p.errorCode)).toEqual([3, 3]);
      cover(API.DescribeProducers);
    });

    test("DescribeLogDirs and ListPartitionReassignments list only alice's topics", async () => {
      const all = await asAlice(API.DescribeLogDirs, v(API.DescribeLogDirs), { topics: null });
      const names = new Set(all.results.flatMap((d) => d.topics.map((t) => t.name)));
      expect([...names].sort()).toEqual(["orders", "payments"]);
      const bobs = await asAlice(API.DescribeLogDirs, v(API.DescribeLogDirs), { topics: [{ topic: "secret", partitions: [0, 1] }] });
      expect(bobs.results.flatMap((d) => d.topics)).toEqual([]);
      cover(API.DescribeLogDirs);

      const lpr = await asAlice(API.ListPartitionReassignments, v(API.ListPartitionReassignments), { timeoutMs: 5000, topics: null });
      expect(lpr.topics).toEqual([]);
      const lprBob = await asAlice(API.ListPartitionReassignments, v(API.ListPartitionReassignments), {
        timeoutMs: 5000,
        topics: [{ name: "secret", partitionIndexes: [0] }],
      });
      expect(lprBob.topics).toEqual([]);
      cover(API.ListPartitionReassignments);
    });
  });

  async function aliceMetadataId(name: string): Promise<string> {
    const md = await alice.request(API.Metadata, 12, metadataBody([{ name }]));
    return md.topics[0]!.topicId;
  }
});
