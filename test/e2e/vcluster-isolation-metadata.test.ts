// The isolation suite, metadata: topic lists, lookups by name and topic id, partition cursors and broker addresses
// show alice only her own topics and kgate's addresses.
// Two tenants on one kgate and one real broker; the setup and the leak check of every response
// are in test/support/isolation/fixture.ts. Runs once with kgate on Bun and once on Deno.
import { describe, expect, test } from "bun:test";
import { ErrorCode } from "../../src/protocol/messages/errors.ts";
import {
  ALICE_PREFIX,
  API,
  asAlice,
  backingTopic,
  BOB_PREFIX,
  bobState,
  cover,
  E,
  isolationSuite,
  kgate,
  metadataBody,
  offers,
  v,
} from "../support/isolation/fixture.ts";

isolationSuite("metadata", () => {
  describe("metadata: topic lists, topic ids and broker addresses", () => {
    const aliceTopics = new Set(["orders", "payments"]);

    test("Metadata: all topics shows only alice's; bob's name, bob's id and internal topics are unknown", async () => {
      for (const version of [v(API.Metadata), 12, 9, 4, 1]) {
        if (!offers(API.Metadata, version)) continue;
        const all = await asAlice(API.Metadata, version, metadataBody(null));
        const names = all.topics.map((t) => t.name);
        expect(names.sort()).toEqual([...aliceTopics].sort());
        // v1-v3 always auto-create a topic asked for by name (alice's own, but it would linger)
        if (version < 4) continue;
        const byName = await asAlice(
          API.Metadata,
          version,
          metadataBody([{ name: "secret" }, { name: "__consumer_offsets" }, { name: `${BOB_PREFIX}secret` }]),
        );
        expect(byName.topics.map((t) => t.errorCode)).toEqual([3, 3, 3]);
        expect(byName.topics.every((t) => t.partitions.length === 0)).toBe(true);
      }
      for (const version of [v(API.Metadata), 12, 10]) {
        if (!offers(API.Metadata, version)) continue;
        const byId = await asAlice(
          API.Metadata,
          version,
          metadataBody([{ name: null, topicId: bobState.topicId }, { name: null, topicId: bobState.consumerOffsetsId }]),
        );
        // v10-11 carry ids but brokers only look topics up by id from v12 (INVALID_REQUEST before)
        const expected = version >= 12 ? E.UNKNOWN_TOPIC_ID : ErrorCode.INVALID_REQUEST;
        expect(byId.topics.map((t) => t.errorCode)).toEqual([expected, expected]);
        expect(byId.topics.every((t) => t.partitions.length === 0 && !t.name)).toBe(true);
      }
      // auto-creation by a name only ever creates alice's own topic
      expect((await backingTopic(`${ALICE_PREFIX}secret`)).errorCode).toBe(3);
      cover(API.Metadata);
    });

    test("DescribeTopicPartitions: lists and cursors never show bob's or internal topics", async () => {
      const version = v(API.DescribeTopicPartitions);
      const byName = await asAlice(API.DescribeTopicPartitions, version, {
        topics: [{ name: "secret" }, { name: "__consumer_offsets" }],
        responsePartitionLimit: 2000,
        cursor: null,
      });
      expect(byName.topics.map((t) => t.errorCode)).toEqual([3, 3]);
      const all = await asAlice(API.DescribeTopicPartitions, version, { topics: [], responsePartitionLimit: 2000, cursor: null });
      expect(all.topics.map((t) => t.name).sort()).toEqual([...aliceTopics].sort());
      // paging one partition at a time, starting before, inside and after alice's names
      for (const start of [null, { topicName: "", partitionIndex: 0 }, { topicName: "a", partitionIndex: 0 }, { topicName: "zzz", partitionIndex: 0 }]) {
        let cursor = start;
        const seen: string[] = [];
        for (let page = 0; page < 10; page++) {
          const res = await asAlice(API.DescribeTopicPartitions, version, { topics: [], responsePartitionLimit: 1, cursor });
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

    test("DescribeCluster shows only kgate's addresses", async () => {
      const res = await asAlice(API.DescribeCluster, v(API.DescribeCluster), {
        includeClusterAuthorizedOperations: false,
        endpointType: 1,
        includeFencedBrokers: false,
      });
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
});
