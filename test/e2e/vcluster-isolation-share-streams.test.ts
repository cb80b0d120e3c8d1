// The isolation suite, share groups and streams groups by group id, member id and topic id: alice never reaches bob's.
// Two tenants on one kgate and one real broker; the setup and the leak check of every response
// are in test/support/isolation/fixture.ts. Runs once with kgate on Bun and once on Deno.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { KafkaConnection } from "../../src/client/kafka-connection.ts";
import type { ShareGroupHeartbeatResponse } from "../../src/protocol/messages/share-group-heartbeat-response.ts";
import type { StreamsGroupHeartbeatResponse } from "../../src/protocol/messages/streams-group-heartbeat-response.ts";
import {
  alice,
  ALICE_PREFIX,
  API,
  asAlice,
  assertClean,
  backing,
  bob,
  BOB_PREFIX,
  bobState,
  cover,
  E,
  isolationSuite,
  jsonOf,
  run,
  SHARE_AND_STREAMS,
  v,
} from "../support/isolation/fixture.ts";

isolationSuite("share-streams", () => {
  describe.skipIf(!SHARE_AND_STREAMS)("share groups and streams groups: by group id, by member id, by topic id", () => {
    const shareMember = crypto.randomUUID().replaceAll("-", "").slice(0, 22);
    const streamsMember = crypto.randomUUID();
    let shareEpoch = 0;
    let streamsEpoch = 0;

    const shareHeartbeat = (
      conn: KafkaConnection,
      groupId: string,
      memberId: string,
      memberEpoch: number,
      topics: string[] | null,
    ): Promise<ShareGroupHeartbeatResponse> =>
      conn.request(API.ShareGroupHeartbeat, 1, { groupId, memberId, memberEpoch, rackId: null, subscribedTopicNames: topics });
    const streamsHeartbeat = (
      conn: KafkaConnection,
      version: number,
      groupId: string,
      memberId: string,
      memberEpoch: number,
      sourceTopics: string[] | null,
    ): Promise<StreamsGroupHeartbeatResponse> =>
      conn.request(API.StreamsGroupHeartbeat, version, {
        groupId,
        memberId,
        memberEpoch,
        endpointInformationEpoch: 0,
        instanceId: null,
        rackId: null,
        rebalanceTimeoutMs: sourceTopics ? 30_000 : -1,
        topology: sourceTopics && {
          epoch: 0,
          subtopologies: [{
            subtopologyId: "0",
            sourceTopics,
            sourceTopicRegex: [],
            stateChangelogTopics: [],
            repartitionSinkTopics: [],
            repartitionSourceTopics: [],
            copartitionGroups: [],
          }],
        },
        activeTasks: sourceTopics ? [] : null,
        standbyTasks: sourceTopics ? [] : null,
        warmupTasks: sourceTopics ? [] : null,
        processId: sourceTopics ? crypto.randomUUID() : null,
        userEndpoint: null,
        clientTags: sourceTopics ? [] : null,
        taskOffsets: null,
        taskEndOffsets: null,
        shutdownApplication: false,
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
      const asBob = await asAlice(API.ShareGroupHeartbeat, v(API.ShareGroupHeartbeat), {
        groupId: "bob-share",
        memberId: shareMember,
        memberEpoch: shareEpoch,
        rackId: null,
        subscribedTopicNames: null,
      });
      const asNobody = await alice.request(API.ShareGroupHeartbeat, v(API.ShareGroupHeartbeat), {
        groupId: nobody(),
        memberId: shareMember,
        memberEpoch: shareEpoch,
        rackId: null,
        subscribedTopicNames: null,
      });
      expect(asBob.errorCode).not.toBe(0);
      expect(asBob.errorCode).toBe(asNobody.errorCode);
      const memberId = crypto.randomUUID().replaceAll("-", "").slice(0, 22);
      const joined = await asAlice(API.ShareGroupHeartbeat, v(API.ShareGroupHeartbeat), {
        groupId: `alice-share-${run}`,
        memberId,
        memberEpoch: 0,
        rackId: null,
        subscribedTopicNames: ["secret", `${BOB_PREFIX}secret`],
      });
      expect(joined.errorCode).toBe(0);
      const backingView = await backing.request(API.ShareGroupDescribe, 1, {
        groupIds: [`${ALICE_PREFIX}alice-share-${run}`],
        includeAuthorizedOperations: false,
      });
      expect(backingView.groups[0]!.members[0]!.subscribedTopicNames.sort()).toEqual([`${ALICE_PREFIX}${BOB_PREFIX}secret`, `${ALICE_PREFIX}secret`].sort());
      expect(jsonOf(backingView.groups[0]!.members[0]!.assignment)).not.toContain(bobState.topicId);
      await asAlice(API.ShareGroupHeartbeat, v(API.ShareGroupHeartbeat), {
        groupId: `alice-share-${run}`,
        memberId,
        memberEpoch: -1,
        rackId: null,
        subscribedTopicNames: null,
      });
      cover(API.ShareGroupHeartbeat);

      const described = await asAlice(API.ShareGroupDescribe, v(API.ShareGroupDescribe), { groupIds: ["bob-share"], includeAuthorizedOperations: false });
      expect(described.groups.map((g) => [g.groupId, g.errorCode])).toEqual([["bob-share", E.GROUP_ID_NOT_FOUND]]);
      cover(API.ShareGroupDescribe);

      const still = await shareHeartbeat(bob, "bob-share", shareMember, shareEpoch, null);
      expect(still.errorCode).toBe(0);
      shareEpoch = still.memberEpoch;
    });

    test("ShareFetch / ShareAcknowledge by bob's topic id, with bob's group and member: answered as for an id that does not exist", async () => {
      const partitions = [{ partitionIndex: 0, partitionMaxBytes: 0, acknowledgementBatches: [] }];
      const fetchFor = (groupId: string, topicId: string, conn: KafkaConnection = alice) =>
        conn.request(API.ShareFetch, v(API.ShareFetch), {
          groupId,
          memberId: shareMember,
          shareSessionEpoch: 0,
          maxWaitMs: 0,
          minBytes: 0,
          maxBytes: 1 << 20,
          maxRecords: 100,
          batchSize: 100,
          shareAcquireMode: 0,
          isRenewAck: false,
          topics: [{ topicId, partitions }],
          forgottenTopicsData: [],
        });
      const request = { groupId: "bob-share", topicId: bobState.topicId };
      const fetched = await fetchFor("bob-share", bobState.topicId);
      assertClean(fetched, "ShareFetch", request);
      const unknown = await fetchFor(nobody(), crypto.randomUUID().replaceAll("-", ""));
      expect({ ...fetched, throttleTimeMs: 0 }).toEqual({ ...unknown, throttleTimeMs: 0 });
      expect(jsonOf(fetched)).not.toContain(bobState.topicId);
      cover(API.ShareFetch);

      const ackFor = (groupId: string, topicId: string) =>
        alice.request(API.ShareAcknowledge, v(API.ShareAcknowledge), {
          groupId,
          memberId: shareMember,
          shareSessionEpoch: 1,
          isRenewAck: false,
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
      const describe = (groupId: string) => asAlice(API.DescribeShareGroupOffsets, v(API.DescribeShareGroupOffsets), { groups: [{ groupId, topics: null }] });
      const described = await describe("bob-share");
      expect(described.groups.map((g) => [g.groupId, g.topics.length])).toEqual([["bob-share", 0]]);
      expect(described.groups[0]!.errorCode).toBe((await describe(nobody())).groups[0]!.errorCode);
      cover(API.DescribeShareGroupOffsets);

      const topics = [{ topicName: "secret", partitions: [{ partitionIndex: 0, startOffset: 0n }] }];
      const altered = await asAlice(API.AlterShareGroupOffsets, v(API.AlterShareGroupOffsets), { groupId: "bob-share", topics });
      const alteredNobody = await alice.request(API.AlterShareGroupOffsets, v(API.AlterShareGroupOffsets), { groupId: nobody(), topics });
      expect(altered.errorCode).toBe(alteredNobody.errorCode);
      expect(jsonOf(altered.responses)).toBe(jsonOf(alteredNobody.responses));
      cover(API.AlterShareGroupOffsets);

      const deleted = await asAlice(API.DeleteShareGroupOffsets, v(API.DeleteShareGroupOffsets), { groupId: "bob-share", topics: [{ topicName: "secret" }] });
      const deletedNobody = await alice.request(API.DeleteShareGroupOffsets, v(API.DeleteShareGroupOffsets), {
        groupId: nobody(),
        topics: [{ topicName: "secret" }],
      });
      expect(deleted.errorCode).toBe(deletedNobody.errorCode);
      cover(API.DeleteShareGroupOffsets);

      // bob's group is still there, with its member, on the backing cluster
      const backingView = await backing.request(API.ShareGroupDescribe, 1, { groupIds: [`${BOB_PREFIX}bob-share`], includeAuthorizedOperations: false });
      expect(backingView.groups[0]!.members.map((m) => m.memberId)).toEqual([shareMember]);
    });

    test("StreamsGroupHeartbeat / StreamsGroupDescribe / StreamsGroupTopologyDescriptionUpdate: bob's streams group is unknown", async () => {
      const version = v(API.StreamsGroupHeartbeat);
      const asBob = await streamsHeartbeat(alice, version, "bob-streams", streamsMember, streamsEpoch, null);
      assertClean(asBob, "StreamsGroupHeartbeat");
      const asNobody = await streamsHeartbeat(alice, version, nobody(), streamsMember, streamsEpoch, null);
      expect(asBob.errorCode).not.toBe(0);
      expect(asBob.errorCode).toBe(asNobody.errorCode);
      // alice's own streams app reading bob's backing name reads a topic of hers that does not exist
      const own = await streamsHeartbeat(alice, version, `alice-streams-${run}`, crypto.randomUUID(), 0, [`${BOB_PREFIX}secret`, "secret"]);
      assertClean(own, "StreamsGroupHeartbeat", { sourceTopics: [`${BOB_PREFIX}secret`] });
      expect(own.activeTasks ?? []).toEqual([]);
      const backingView = await backing.request(API.StreamsGroupDescribe, 0, {
        groupIds: [`${ALICE_PREFIX}alice-streams-${run}`],
        includeAuthorizedOperations: false,
        includeTopologyDescription: false,
      });
      expect(backingView.groups[0]!.topology!.subtopologies![0]!.sourceTopics.sort()).toEqual(
        [`${ALICE_PREFIX}${BOB_PREFIX}secret`, `${ALICE_PREFIX}secret`].sort(),
      );
      cover(API.StreamsGroupHeartbeat);

      const described = await asAlice(API.StreamsGroupDescribe, v(API.StreamsGroupDescribe), {
        groupIds: ["bob-streams"],
        includeAuthorizedOperations: false,
        includeTopologyDescription: false,
      });
      expect(described.groups.map((g) => [g.groupId, g.errorCode])).toEqual([["bob-streams", E.GROUP_ID_NOT_FOUND]]);
      cover(API.StreamsGroupDescribe);

      const update = (groupId: string) =>
        alice.request(API.StreamsGroupTopologyDescriptionUpdate, v(API.StreamsGroupTopologyDescriptionUpdate), {
          groupId,
          memberId: streamsMember,
          topologyEpoch: 0,
          topologyDescription: {
            subtopologies: [{
              subtopologyId: "0",
              nodes: [{ name: "src", nodeType: 0, sourceTopics: ["secret"], sinkTopic: null, stores: [], successors: [] }],
            }],
            globalStores: [],
          },
        });
      const updated = await update("bob-streams");
      assertClean(updated, "StreamsGroupTopologyDescriptionUpdate");
      expect(updated.errorCode).not.toBe(0);
      expect(updated.errorCode).toBe((await update(nobody())).errorCode);
      cover(API.StreamsGroupTopologyDescriptionUpdate);

      const still = await streamsHeartbeat(bob, 0, "bob-streams", streamsMember, streamsEpoch, null);
      expect(still.errorCode).toBe(0);
    });
  });
});
