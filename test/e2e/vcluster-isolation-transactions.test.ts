// The isolation suite, transactions by transactional id and producer id: alice never sees, joins or fences bob's.
// Two tenants on one kgate and one real broker; the setup and the leak check of every response
// are in test/support/isolation/fixture.ts. Runs once with kgate on Bun and once on Deno.
import { describe, expect, test } from "bun:test";
import type { AddPartitionsToTxnResponse } from "../../src/protocol/messages/add-partitions-to-txn-response.ts";
import { API, asAlice, bob, bobCommittedOffset, bobState, bobTransaction, cover, E, isolationSuite, offers, v, ZERO_ID } from "../support/isolation/fixture.ts";

isolationSuite("transactions", () => {
  describe("transactions: by transactional id, by producer id", () => {
    test("DescribeTransactions and ListTransactions never show bob's transaction", async () => {
      const described = await asAlice(API.DescribeTransactions, v(API.DescribeTransactions), { transactionalIds: ["bob-tx"] });
      expect(described.transactionStates.map((t) => [t.transactionalId, t.errorCode])).toEqual([["bob-tx", E.TRANSACTIONAL_ID_NOT_FOUND]]);
      expect(described.transactionStates[0]!.topics).toEqual([]);
      cover(API.DescribeTransactions);

      const version = v(API.ListTransactions);
      const base = { stateFilters: [], producerIdFilters: [], durationFilter: -1n, transactionalIdPattern: null };
      const bobsView = await bob.request(API.ListTransactions, version, base);
      expect(bobsView.transactionStates.map((t) => t.transactionalId)).toContain("bob-tx"); // the setup is real
      for (const body of [base, { ...base, producerIdFilters: [bobState.producerId] }, { ...base, stateFilters: ["Ongoing"] }]) {
        const res = await asAlice(API.ListTransactions, version, body);
        for (const t of res.transactionStates) expect(t.transactionalId).not.toContain("bob");
        for (const t of res.transactionStates) expect(t.producerId).not.toBe(bobState.producerId);
      }
      if (version >= 2) {
        const pattern = await asAlice(API.ListTransactions, version, { ...base, transactionalIdPattern: ".*bob.*" });
        expect(pattern.transactionStates).toEqual([]);
        const bad = await asAlice(API.ListTransactions, version, { ...base, transactionalIdPattern: "(" });
        expect(bad.errorCode).toBe(E.INVALID_REGULAR_EXPRESSION);
      }
      cover(API.ListTransactions);
    });

    test("AddPartitionsToTxn, AddOffsetsToTxn, TxnOffsetCommit, EndTxn with bob's transactional id and producer id fail", async () => {
      const apt = await asAlice(API.AddPartitionsToTxn, 3, {
        transactions: [],
        v3AndBelowTransactionalId: "bob-tx",
        v3AndBelowProducerId: bobState.producerId,
        v3AndBelowProducerEpoch: bobState.producerEpoch,
        v3AndBelowTopics: [{ name: "orders", partitions: [0] }, { name: "secret", partitions: [0] }],
      });
      const aptCodes = (res: AddPartitionsToTxnResponse) =>
        res.resultsByTopicV3AndBelow.flatMap((t) => t.resultsByPartition.map((p) => [t.name, p.partitionErrorCode]));
      expect(aptCodes(apt).sort()).toEqual([["orders", E.OPERATION_NOT_ATTEMPTED], ["secret", E.UNKNOWN_TOPIC_OR_PARTITION]]);
      const aptOwn = await asAlice(API.AddPartitionsToTxn, 3, {
        transactions: [],
        v3AndBelowTransactionalId: "bob-tx",
        v3AndBelowProducerId: bobState.producerId,
        v3AndBelowProducerEpoch: bobState.producerEpoch,
        v3AndBelowTopics: [{ name: "orders", partitions: [0] }],
      });
      expect(aptCodes(aptOwn)).toEqual([["orders", E.INVALID_PRODUCER_ID_MAPPING]]);
      if (v(API.AddPartitionsToTxn) >= 4) {
        for (const verifyOnly of [true, false]) {
          const batched = await asAlice(API.AddPartitionsToTxn, v(API.AddPartitionsToTxn), {
            transactions: [{
              transactionalId: "bob-tx",
              producerId: bobState.producerId,
              producerEpoch: bobState.producerEpoch,
              verifyOnly,
              topics: [{ name: "orders", partitions: [0] }],
            }],
            v3AndBelowTransactionalId: "",
            v3AndBelowProducerId: 0n,
            v3AndBelowProducerEpoch: 0,
            v3AndBelowTopics: [],
          });
          const codes = batched.resultsByTransaction.flatMap((t) => t.topicResults.flatMap((r) => r.resultsByPartition.map((p) => p.partitionErrorCode)));
          expect(batched.errorCode).toBe(0);
          expect(codes).toEqual([E.INVALID_PRODUCER_ID_MAPPING]);
          for (const t of batched.resultsByTransaction) expect(t.transactionalId).toBe("bob-tx");
        }
      }
      cover(API.AddPartitionsToTxn);

      const aot = await asAlice(API.AddOffsetsToTxn, v(API.AddOffsetsToTxn), {
        transactionalId: "bob-tx",
        producerId: bobState.producerId,
        producerEpoch: bobState.producerEpoch,
        groupId: "bob-group",
      });
      expect(aot.errorCode).toBe(E.INVALID_PRODUCER_ID_MAPPING);
      cover(API.AddOffsetsToTxn);

      for (const version of new Set([5, v(API.TxnOffsetCommit)])) {
        if (!offers(API.TxnOffsetCommit, version)) continue;
        const topic = version >= 6 ? { name: "", topicId: bobState.topicId } : { name: "secret", topicId: ZERO_ID };
        const toc = await asAlice(API.TxnOffsetCommit, version, {
          transactionalId: "bob-tx",
          groupId: "bob-group",
          producerId: bobState.producerId,
          producerEpoch: bobState.producerEpoch,
          generationIdOrMemberEpoch: -1,
          memberId: "",
          groupInstanceId: null,
          topics: [{ ...topic, partitions: [{ partitionIndex: 0, committedOffset: 0n, committedLeaderEpoch: -1, committedMetadata: null }] }],
        });
        const codes = toc.topics.flatMap((t) => t.partitions.map((p) => p.errorCode));
        expect(codes).toEqual([version >= 6 ? E.UNKNOWN_TOPIC_ID : E.UNKNOWN_TOPIC_OR_PARTITION]);
      }
      cover(API.TxnOffsetCommit);

      const end = await asAlice(API.EndTxn, v(API.EndTxn), {
        transactionalId: "bob-tx",
        producerId: bobState.producerId,
        producerEpoch: bobState.producerEpoch,
        committed: false,
      });
      expect(end.errorCode).toBe(E.INVALID_PRODUCER_ID_MAPPING);
      cover(API.EndTxn);

      const tx = await bobTransaction();
      expect(tx.transactionState).toBe("Ongoing");
      expect(tx.producerEpoch).toBe(bobState.producerEpoch);
      expect(await bobCommittedOffset()).toBe(1n);
    });

    test("InitProducerId for bob's transactional id gets alice's own producer and does not fence bob", async () => {
      const res = await asAlice(API.InitProducerId, v(API.InitProducerId), {
        transactionalId: "bob-tx",
        transactionTimeoutMs: 60_000,
        producerId: -1n,
        producerEpoch: -1,
        enable2Pc: false,
        keepPreparedTxn: false,
      });
      expect(res.errorCode).toBe(0);
      expect(res.producerId).not.toBe(bobState.producerId);
      const again = await asAlice(API.InitProducerId, v(API.InitProducerId), {
        transactionalId: "bob-tx",
        transactionTimeoutMs: 60_000,
        producerId: bobState.producerId,
        producerEpoch: bobState.producerEpoch,
        enable2Pc: false,
        keepPreparedTxn: false,
      });
      // answered for alice's own transactional id, which has her producer, not bob's
      expect<number[]>([E.INVALID_PRODUCER_EPOCH, E.PRODUCER_FENCED, E.INVALID_PRODUCER_ID_MAPPING]).toContain(again.errorCode);
      cover(API.InitProducerId);

      const tx = await bobTransaction();
      expect(tx.transactionState).toBe("Ongoing");
      expect(tx.producerEpoch).toBe(bobState.producerEpoch);
      // bob finishes his own transaction: he was never fenced
      const abort = await bob.request(API.EndTxn, 4, {
        transactionalId: "bob-tx",
        producerId: bobState.producerId,
        producerEpoch: bobState.producerEpoch,
        committed: false,
      });
      expect(abort.errorCode).toBe(0);
    });
  });
});
