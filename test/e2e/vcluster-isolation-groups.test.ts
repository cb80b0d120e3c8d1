// The isolation suite, consumer groups by group id, coordinator key, member id and regex: alice never sees or
// touches bob's classic or KIP-848 group.
// Two tenants on one kgate and one real broker; the setup and the leak check of every response
// are in test/support/isolation/fixture.ts. Runs once with kgate on Bun and once on Deno.
import { describe, expect, test } from "bun:test";
import type { OffsetCommitRequest } from "../../src/protocol/messages/offset-commit-request.ts";
import type { OffsetFetchRequest, OffsetFetchRequestTopics } from "../../src/protocol/messages/offset-fetch-request.ts";
import type { TopicPartitions } from "../../src/protocol/messages/consumer-group-heartbeat-request.ts";
import {
  ALICE_PREFIX,
  API,
  asAlice,
  backing,
  bob,
  BOB_PREFIX,
  bobCgHeartbeat,
  bobCommittedOffset,
  bobHeartbeat,
  bobHeartbeatBody,
  bobState,
  cover,
  E,
  isolationSuite,
  jsonOf,
  KAFKA4_GROUPS,
  offers,
  run,
  subscriptionBytes,
  v,
  ZERO_ID,
} from "../support/isolation/fixture.ts";

isolationSuite("groups", () => {
  describe("consumer groups: by group id, by coordinator key, by member id, by regex", () => {
    test("FindCoordinator for bob's group and transactional id answers for alice's own keys", async () => {
      const version = v(API.FindCoordinator);
      for (const keyType of [0, 1]) {
        const res = await asAlice(API.FindCoordinator, version, { key: "", keyType, coordinatorKeys: ["bob-group", "bob-tx"] });
        expect(res.coordinators.map((c) => c.key)).toEqual(["bob-group", "bob-tx"]);
        for (const c of res.coordinators) expect(c.errorCode).toBe(0);
      }
      const old = await asAlice(API.FindCoordinator, 3, { key: "bob-group", keyType: 0, coordinatorKeys: [] });
      expect(old.errorCode).toBe(0);
      cover(API.FindCoordinator);
    });

    test("ListGroups and DescribeGroups never show bob's groups or members", async () => {
      const mine = await bob.request(API.ListGroups, v(API.ListGroups), { statesFilter: [], typesFilter: [] });
      expect(mine.groups.map((g) => g.groupId)).toContain("bob-group"); // the setup is real
      const list = await asAlice(API.ListGroups, v(API.ListGroups), { statesFilter: [], typesFilter: [] });
      for (const g of list.groups) expect(g.groupId).not.toContain("bob");
      cover(API.ListGroups);

      const described = await asAlice(API.DescribeGroups, v(API.DescribeGroups), { groups: ["bob-group", "bob-cg"], includeAuthorizedOperations: false });
      expect(described.groups.map((g) => g.groupId).sort()).toEqual(["bob-cg", "bob-group"]);
      for (const g of described.groups) {
        expect([E.GROUP_ID_NOT_FOUND, 0]).toContain(g.errorCode);
        expect(g.members).toEqual([]);
        if (g.errorCode === 0) expect(g.groupState).toBe("Dead");
      }
      cover(API.DescribeGroups);
    });

    test("OffsetFetch (single and batched groups, by name and by id) never returns bob's offsets", async () => {
      const withTopics = (topics: OffsetFetchRequestTopics[] | null): OffsetFetchRequest => ({
        groupId: "",
        topics: null,
        groups: [{ groupId: "bob-group", memberId: null, memberEpoch: -1, topics }],
        requireStable: false,
      });
      for (const version of new Set([8, 9, v(API.OffsetFetch)])) {
        if (!offers(API.OffsetFetch, version)) continue;
        const all = await asAlice(API.OffsetFetch, version, withTopics(null));
        expect(all.groups[0]!.groupId).toBe("bob-group");
        expect(all.groups[0]!.topics).toEqual([]);
        if (version <= 9) {
          const one = await asAlice(API.OffsetFetch, version, withTopics([{ name: "secret", topicId: ZERO_ID, partitionIndexes: [0] }]));
          for (const t of one.groups[0]!.topics) for (const p of t.partitions) expect(p.committedOffset).toBe(-1n);
        } else {
          const one = await asAlice(API.OffsetFetch, version, withTopics([{ name: "", topicId: bobState.topicId, partitionIndexes: [0] }]));
          for (const t of one.groups[0]!.topics) for (const p of t.partitions) expect(p.committedOffset).toBe(-1n);
        }
      }
      const single = await asAlice(API.OffsetFetch, 7, { groupId: "bob-group", topics: null, groups: [], requireStable: false });
      expect(single.topics).toEqual([]);
      const singleNamed = await asAlice(API.OffsetFetch, 5, {
        groupId: "bob-group",
        topics: [{ name: "secret", partitionIndexes: [0] }],
        groups: [],
        requireStable: false,
      });
      for (const t of singleNamed.topics) for (const p of t.partitions) expect(p.committedOffset).toBe(-1n);
      expect(await bobCommittedOffset()).toBe(1n);
      cover(API.OffsetFetch);
    });

    test("OffsetCommit (by name, by id), OffsetDelete and DeleteGroups cannot touch bob's group", async () => {
      const commit = (topic: { name: string; topicId: string }): OffsetCommitRequest => ({
        groupId: "bob-group",
        generationIdOrMemberEpoch: -1,
        memberId: "",
        groupInstanceId: null,
        retentionTimeMs: -1n,
        topics: [{ ...topic, partitions: [{ partitionIndex: 0, committedOffset: 0n, committedLeaderEpoch: -1, committedMetadata: null }] }],
      });
      const byName = await asAlice(API.OffsetCommit, 9, commit({ name: "secret", topicId: ZERO_ID }));
      expect(byName.topics[0]!.partitions[0]!.errorCode).toBe(3);
      if (offers(API.OffsetCommit, 10)) {
        const byId = await asAlice(API.OffsetCommit, 10, commit({ name: "", topicId: bobState.topicId }));
        expect(byId.topics[0]!.partitions[0]!.errorCode).toBe(E.UNKNOWN_TOPIC_ID);
      }
      // with bob's member id and generation: alice's group of that name has no such member
      const asMember = await asAlice(API.OffsetCommit, 9, {
        ...commit({ name: "orders", topicId: ZERO_ID }),
        generationIdOrMemberEpoch: bobState.classicGeneration,
        memberId: bobState.classicMemberId,
      });
      // (Kafka 3.9 answers a generation for a group it does not have ILLEGAL_GENERATION)
      expect<number[]>([E.GROUP_ID_NOT_FOUND, E.UNKNOWN_MEMBER_ID, E.ILLEGAL_GENERATION]).toContain(asMember.topics[0]!.partitions[0]!.errorCode);
      expect(await bobCommittedOffset()).toBe(1n);
      cover(API.OffsetCommit);

      const od = await asAlice(API.OffsetDelete, v(API.OffsetDelete), {
        groupId: "bob-group",
        topics: [{ name: "secret", partitions: [{ partitionIndex: 0 }] }],
      });
      expect(od.errorCode).toBe(E.GROUP_ID_NOT_FOUND);
      cover(API.OffsetDelete);

      const dg = await asAlice(API.DeleteGroups, v(API.DeleteGroups), { groupsNames: ["bob-group", "bob-cg"] });
      expect(dg.results.map((r) => [r.groupId, r.errorCode]).sort()).toEqual([["bob-cg", E.GROUP_ID_NOT_FOUND], ["bob-group", E.GROUP_ID_NOT_FOUND]]);
      expect(await bobCommittedOffset()).toBe(1n);
      cover(API.DeleteGroups);
    });

    test("Heartbeat, SyncGroup, LeaveGroup, JoinGroup with bob's member id do not reach bob's member", async () => {
      const hb = await asAlice(API.Heartbeat, v(API.Heartbeat), bobHeartbeatBody());
      expect(hb.errorCode).toBe(E.UNKNOWN_MEMBER_ID);
      cover(API.Heartbeat);

      const sync = await asAlice(API.SyncGroup, v(API.SyncGroup), {
        groupId: "bob-group",
        generationId: bobState.classicGeneration,
        memberId: bobState.classicMemberId,
        groupInstanceId: null,
        protocolType: "consumer",
        protocolName: "range",
        assignments: [],
      });
      expect(sync.errorCode).toBe(E.UNKNOWN_MEMBER_ID);
      expect(sync.assignment.length).toBe(0);
      cover(API.SyncGroup);

      const leave = await asAlice(API.LeaveGroup, v(API.LeaveGroup), {
        groupId: "bob-group",
        memberId: "",
        members: [{ memberId: bobState.classicMemberId, groupInstanceId: null, reason: "alice" }],
      });
      expect(leave.members.map((m) => m.errorCode)).toEqual([E.UNKNOWN_MEMBER_ID]);
      cover(API.LeaveGroup);

      const join = (memberId: string) =>
        asAlice(API.JoinGroup, v(API.JoinGroup), {
          groupId: "bob-group",
          sessionTimeoutMs: 30_000,
          rebalanceTimeoutMs: 30_000,
          memberId,
          groupInstanceId: null,
          protocolType: "consumer",
          protocols: [{ name: "range", metadata: subscriptionBytes(["orders"]) }],
          reason: null,
        });
      const impersonate = await join(bobState.classicMemberId);
      expect(impersonate.errorCode).toBe(E.UNKNOWN_MEMBER_ID);
      const first = await join("");
      expect(first.errorCode).toBe(E.MEMBER_ID_REQUIRED);
      const joined = await join(first.memberId);
      expect(joined.errorCode).toBe(0);
      expect(joined.members.map((m) => m.memberId)).toEqual([first.memberId]);
      await asAlice(API.LeaveGroup, v(API.LeaveGroup), {
        groupId: "bob-group",
        memberId: "",
        members: [{ memberId: first.memberId, groupInstanceId: null, reason: null }],
      });
      cover(API.JoinGroup);

      // bob's member is untouched: same generation, no rebalance
      expect(await bobHeartbeat()).toBe(0);
    });

    test.skipIf(!KAFKA4_GROUPS)("ConsumerGroupHeartbeat / ConsumerGroupDescribe: bob's KIP-848 group and member are unknown", async () => {
      const hb = await asAlice(API.ConsumerGroupHeartbeat, v(API.ConsumerGroupHeartbeat), {
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
      expect(hb.errorCode).toBe(E.GROUP_ID_NOT_FOUND);
      expect(hb.assignment).toBeNull();
      // alice's own member subscribing to bob's name, then claiming bob's partitions by topic id
      const memberId = crypto.randomUUID();
      const heartbeat = (memberEpoch: number, topicPartitions: TopicPartitions[] | null) =>
        asAlice(API.ConsumerGroupHeartbeat, v(API.ConsumerGroupHeartbeat), {
          groupId: `alice-cg-${run}`,
          memberId,
          memberEpoch,
          instanceId: null,
          rackId: null,
          rebalanceTimeoutMs: 30_000,
          subscribedTopicNames: ["secret"],
          subscribedTopicRegex: null,
          serverAssignor: null,
          topicPartitions,
        });
      const joined = await heartbeat(0, []);
      expect(joined.errorCode).toBe(0);
      const claimed = await heartbeat(joined.memberEpoch, [{ topicId: bobState.topicId, partitions: [0, 1] }]);
      expect(claimed.errorCode).toBe(0);
      expect(claimed.assignment?.topicPartitions ?? []).toEqual([]);
      const backingView = await backing.request(API.ConsumerGroupDescribe, 1, {
        groupIds: [`${ALICE_PREFIX}alice-cg-${run}`],
        includeAuthorizedOperations: false,
      });
      expect(jsonOf(backingView)).not.toContain(BOB_PREFIX);
      expect(jsonOf(backingView)).not.toContain(bobState.topicId);
      await heartbeat(-1, null);
      cover(API.ConsumerGroupHeartbeat);

      const described = await asAlice(API.ConsumerGroupDescribe, v(API.ConsumerGroupDescribe), { groupIds: ["bob-cg"], includeAuthorizedOperations: false });
      expect(described.groups.map((g) => [g.groupId, g.errorCode])).toEqual([["bob-cg", E.GROUP_ID_NOT_FOUND]]);
      cover(API.ConsumerGroupDescribe);

      const still = await bobCgHeartbeat();
      expect(still.errorCode).toBe(0);
    });

    test.skipIf(!KAFKA4_GROUPS)("a subscribed regex matches only alice's topics, whatever it contains", async () => {
      await expectEachRegexRefusedOrConfined("alice-re", [".*", "secret|.*", `${BOB_PREFIX}.*|.*secret.*`, "(.*)", ".*)|(.*"]);
    });

    test.skipIf(!KAFKA4_GROUPS)("a malformed regex gets INVALID_REGULAR_EXPRESSION", async () => {
      for (const regex of ["(", "a)|(b", "[a-", "*", "\\"]) {
        const res = await asAlice(API.ConsumerGroupHeartbeat, v(API.ConsumerGroupHeartbeat), {
          groupId: `alice-bad-re-${run}`,
          memberId: crypto.randomUUID(),
          memberEpoch: 0,
          instanceId: null,
          rackId: null,
          rebalanceTimeoutMs: 30_000,
          subscribedTopicNames: null,
          subscribedTopicRegex: regex,
          serverAssignor: null,
          topicPartitions: [],
        });
        expect(res.errorCode).toBe(E.INVALID_REGULAR_EXPRESSION);
        expect(res.errorMessage).toContain("regular expression");
      }
    });

    test.skipIf(!KAFKA4_GROUPS)("regexes that JavaScript and RE2 (the broker's engine) read differently cannot escape the anchoring", async () => {
      // `[^]` and `[]` close a character class at once in JavaScript; in RE2 a `]` right after
      // `[` or `[^` is a literal and the class goes on. A checker that only asks JavaScript would
      // let the `)` after it close kgate's anchoring group on the broker.
      await expectEachRegexRefusedOrConfined("alice-tricky", ["[^]([])|.*|([^])[]", "a[^]([^])|.*|([^])[]", "[^]\\](^[:alpha:][^])|.*|(a[^])[]"]);
    });
  });

  /**
   * A new member of a group of its own (`GROUP-RUN-i`) subscribes to each regex: the broker
   * refuses it (INVALID_REGULAR_EXPRESSION), or what it matches is only alice's topics.
   */
  async function expectEachRegexRefusedOrConfined(group: string, regexes: string[]): Promise<void> {
    for (const [i, regex] of regexes.entries()) {
      const groupId = `${group}-${run}-${i}`;
      const memberId = crypto.randomUUID();
      const res = await asAlice(API.ConsumerGroupHeartbeat, v(API.ConsumerGroupHeartbeat), {
        groupId,
        memberId,
        memberEpoch: 0,
        instanceId: null,
        rackId: null,
        rebalanceTimeoutMs: 30_000,
        subscribedTopicNames: null,
        subscribedTopicRegex: regex,
        serverAssignor: null,
        topicPartitions: [],
      });
      if (res.errorCode !== 0) {
        expect(res.errorCode).toBe(E.INVALID_REGULAR_EXPRESSION);
        continue;
      }
      await expectRegexConfined(groupId, memberId, res.memberEpoch, regex);
    }
  }

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
      const hb = await asAlice(API.ConsumerGroupHeartbeat, v(API.ConsumerGroupHeartbeat), {
        groupId: group,
        memberId,
        memberEpoch,
        instanceId: null,
        rackId: null,
        rebalanceTimeoutMs: -1,
        subscribedTopicNames: null,
        subscribedTopicRegex: null,
        serverAssignor: null,
        topicPartitions: null,
      });
      expect(hb.errorCode).toBe(0);
      memberEpoch = hb.memberEpoch;
      const backingView = await backing.request(API.ConsumerGroupDescribe, 1, { groupIds: [`${ALICE_PREFIX}${group}`], includeAuthorizedOperations: false });
      const member = backingView.groups[0]!.members.find((m) => m.memberId === memberId);
      assigned = [...(member?.assignment.topicPartitions ?? []), ...(member?.targetAssignment.topicPartitions ?? [])].map((t) => t.topicName);
      for (const name of assigned) {
        if (!name.startsWith(ALICE_PREFIX)) {
          throw new Error(`regex ${JSON.stringify(regex)} (sent as ${member?.subscribedTopicRegex}) matched ${name} on the broker`);
        }
      }
      if (assigned.length > 0 && /\.\*/.test(regex)) break;
      await new Promise((r) => setTimeout(r, 300));
    }
    await asAlice(API.ConsumerGroupHeartbeat, v(API.ConsumerGroupHeartbeat), {
      groupId: group,
      memberId,
      memberEpoch: -1,
      instanceId: null,
      rackId: null,
      rebalanceTimeoutMs: -1,
      subscribedTopicNames: null,
      subscribedTopicRegex: null,
      serverAssignor: null,
      topicPartitions: null,
    });
  }
});
