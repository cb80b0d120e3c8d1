// Share groups (KIP-932) and streams groups (KIP-1071) inside a vcluster, one exchange at a time
// through tenantRequest: what reaches the broker, and what the tenant reads back.
import { describe, expect, test } from "bun:test";
import { BrokerDirectory } from "../../src/gateway/broker-directory.ts";
import type { RequestOutcome } from "../../src/gateway/session-policy.ts";
import { decodeRequest, decodeResponse, encodeRequest, encodeResponse } from "../../src/protocol/codec.ts";
import { ErrorCode } from "../../src/protocol/error-codes.ts";
import { concatBytes } from "../../src/protocol/wire.ts";
import { defaultShareFetchRequest } from "../../src/protocol/messages/share-fetch-request.ts";
import { defaultShareGroupHeartbeatRequest } from "../../src/protocol/messages/share-group-heartbeat-request.ts";
import { defaultStreamsGroupHeartbeatRequest, StreamsGroupHeartbeatRequestEntities } from "../../src/protocol/messages/streams-group-heartbeat-request.ts";
import { StreamsGroupHeartbeatResponseEntities } from "../../src/protocol/messages/streams-group-heartbeat-response.ts";
import { StreamsGroupDescribeResponseEntities } from "../../src/protocol/messages/streams-group-describe-response.ts";
import { ShareFetchResponseEntities } from "../../src/protocol/messages/share-fetch-response.ts";
import { FetchSessions } from "../../src/vcluster/fetch-sessions.ts";
import { tenantRequest } from "../../src/vcluster/tenant-exchange.ts";
import { Tenant } from "../../src/vcluster/tenant.ts";
import { TopicIdDirectory } from "../../src/vcluster/topic-id-directory.ts";
import type { TopicPolicies, TopicPolicyContext } from "../../src/vcluster/topic-policy-lookup.ts";
import type { TopicPolicy } from "../../src/model/topic-policy-schema.ts";

type Obj = Record<string, unknown>;

const SHARE_GROUP_HEARTBEAT = 76;
const SHARE_FETCH = 78;
const STREAMS_GROUP_HEARTBEAT = 88;
const STREAMS_GROUP_DESCRIBE = 89;
const OWN = "a".repeat(32);
const FOREIGN = "b".repeat(32);
const OTHER_FOREIGN = "c".repeat(32);

const tenant = new Tenant("vc-a", "vc-a.", () => ["vc-b."]);
const topicIds = new TopicIdDirectory(() => Promise.reject(new Error("no lookups here")));
topicIds.learn(OWN, "vc-a.orders");
topicIds.learn(FOREIGN, "vc-b.secret");
topicIds.learn(OTHER_FOREIGN, "vc-b.other");
const brokers = new BrokerDirectory({ advertisedHost: "127.0.0.1", brokerPortBase: 7000, brokerPorts: {}, openBrokerListener: () => Promise.resolve() });

function policies(policy: TopicPolicy, existing: Record<string, number> = {}): TopicPolicies {
  const ctx: TopicPolicyContext = {
    policy,
    log: () => {},
    partitions: async () => new Map(Object.entries(existing).map(([k, v]) => [tenant.add(k), v])),
    brokerDefaults: async () => ({ numPartitions: 1, replicationFactor: 1 }),
  };
  return { forTenant: () => ctx } as unknown as TopicPolicies;
}

async function exchange(apiKey: number, version: number, body: Obj, topicPolicies?: TopicPolicies) {
  const frame = concatBytes(encodeRequest({ apiKey, apiVersion: version, correlationId: 9, clientId: "app" }, body));
  const head = { apiKey, apiVersion: version, correlationId: 9 };
  const outcome = await tenantRequest(frame, head, tenant, { topicIds, brokers, topicPolicies }, { fetchSessions: new FetchSessions() }, false);
  return outcome;
}

function forwarded(outcome: RequestOutcome): { body: Obj; outcome: Extract<RequestOutcome, { kind: "forward" }> } {
  expect(outcome.kind).toBe("forward");
  const f = outcome as Extract<RequestOutcome, { kind: "forward" }>;
  const bytes = Array.isArray(f.frame) ? concatBytes(f.frame) : f.frame;
  return { body: decodeRequest<Obj>(bytes).body, outcome: f };
}

async function rewritten(outcome: Extract<RequestOutcome, { kind: "forward" }>, apiKey: number, version: number, response: Obj): Promise<Obj> {
  const frame = concatBytes(encodeResponse(apiKey, version, { correlationId: 9 }, response));
  const out = await outcome.rewrite!(frame);
  return decodeResponse<Obj>(Array.isArray(out) ? concatBytes(out) : out, apiKey, version).body;
}

function answeredError(outcome: RequestOutcome, apiKey: number, version: number): Obj {
  expect(outcome.kind).toBe("answer");
  const f = (outcome as Extract<RequestOutcome, { kind: "answer" }>).frame!;
  return decodeResponse<Obj>(Array.isArray(f) ? concatBytes(f) : f, apiKey, version).body;
}

function streamsHeartbeat(topology: Obj | null): Obj {
  return { ...defaultStreamsGroupHeartbeatRequest(), groupId: "wordcount", memberId: "m1", topology };
}

function subtopology(over: Obj = {}): Obj {
  return {
    subtopologyId: "0",
    sourceTopics: ["input"],
    sourceTopicRegex: [],
    stateChangelogTopics: [{ name: "wordcount-store-changelog", partitions: 0, replicationFactor: 0, topicConfigs: [] }],
    repartitionSinkTopics: ["wordcount-rekey-repartition"],
    repartitionSourceTopics: [{ name: "wordcount-rekey-repartition", partitions: 0, replicationFactor: 0, topicConfigs: [] }],
    copartitionGroups: [],
    ...over,
  };
}

describe("share groups in a vcluster", () => {
  test("a share heartbeat reaches the broker with the group and subscribed topics prefixed", async () => {
    const { body } = forwarded(
      await exchange(SHARE_GROUP_HEARTBEAT, 1, {
        ...defaultShareGroupHeartbeatRequest(),
        groupId: "workers",
        memberId: "m",
        subscribedTopicNames: ["orders", "vc-b.secret"],
      }),
    );
    expect(body.groupId).toBe("vc-a.workers");
    // Another tenant's backing name only ever names a topic inside this tenant's prefix.
    expect(body.subscribedTopicNames).toEqual(["vc-a.orders", "vc-a.vc-b.secret"]);
  });

  test("a ShareFetch for another tenant's topic id sends an unknown id; the answer shows only the tenant's id", async () => {
    const { body, outcome } = forwarded(
      await exchange(SHARE_FETCH, 2, {
        ...defaultShareFetchRequest(),
        groupId: "workers",
        memberId: "m",
        topics: [
          { topicId: OWN, partitions: [{ partitionIndex: 0, partitionMaxBytes: 0, acknowledgementBatches: [] }] },
          { topicId: FOREIGN, partitions: [{ partitionIndex: 0, partitionMaxBytes: 0, acknowledgementBatches: [] }] },
        ],
      }),
    );
    expect(body.groupId).toBe("vc-a.workers");
    const sent = (body.topics as Obj[]).map((t) => t.topicId);
    expect(sent[0]).toBe(OWN);
    expect(sent[1]).not.toBe(FOREIGN);
    // The broker answers the swapped id UNKNOWN_TOPIC_ID; a stray foreign id in its answer is dropped.
    const partition = {
      partitionIndex: 0,
      errorCode: 0,
      errorMessage: null,
      acknowledgeErrorCode: 0,
      acknowledgeErrorMessage: null,
      currentLeader: { leaderId: 1, leaderEpoch: 0 },
      records: new Uint8Array(0),
      acquiredRecords: [],
    };
    const res = await rewritten(outcome, SHARE_FETCH, 2, {
      throttleTimeMs: 0,
      errorCode: 0,
      errorMessage: null,
      acquisitionLockTimeoutMs: 30000,
      responses: [
        { topicId: OWN, partitions: [partition] },
        { topicId: sent[1], partitions: [{ ...partition, errorCode: ErrorCode.UNKNOWN_TOPIC_ID }] },
        { topicId: OTHER_FOREIGN, partitions: [partition] },
      ],
      nodeEndpoints: [],
    });
    expect((res.responses as Obj[]).map((r) => r.topicId)).toEqual([OWN, FOREIGN]);
    // The second is the tenant's own foreign id, answered unknown, as if it did not exist.
    expect(((res.responses as Obj[])[1]!.partitions as Obj[])[0]!.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_ID);
  });
});

describe("streams groups in a vcluster", () => {
  test("the generator does not take a Streams application's UserEndpoint for a broker address", () => {
    for (const fields of [StreamsGroupHeartbeatRequestEntities, StreamsGroupHeartbeatResponseEntities, StreamsGroupDescribeResponseEntities]) {
      expect(fields.filter((f) => f.kind === "brokerEndpoint")).toEqual([]);
    }
    // a real broker list still is one
    expect(ShareFetchResponseEntities.filter((f) => f.kind === "brokerEndpoint").map((f) => f.path)).toEqual([["nodeEndpoints"]]);
  });

  test("the topology's group, source, repartition and changelog topics all get the prefix", async () => {
    const { body } = forwarded(await exchange(STREAMS_GROUP_HEARTBEAT, 1, streamsHeartbeat({ epoch: 0, subtopologies: [subtopology()] })));
    expect(body.groupId).toBe("vc-a.wordcount");
    const s = ((body.topology as Obj).subtopologies as Obj[])[0]!;
    expect(s.sourceTopics).toEqual(["vc-a.input"]);
    expect((s.stateChangelogTopics as Obj[])[0]!.name).toBe("vc-a.wordcount-store-changelog");
    expect(s.repartitionSinkTopics).toEqual(["vc-a.wordcount-rekey-repartition"]);
    expect((s.repartitionSourceTopics as Obj[])[0]!.name).toBe("vc-a.wordcount-rekey-repartition");
  });

  test("a source-topic regex is anchored inside the prefix; one RE2 cannot keep inside is refused", async () => {
    const { body } = forwarded(
      await exchange(STREAMS_GROUP_HEARTBEAT, 1, streamsHeartbeat({ epoch: 0, subtopologies: [subtopology({ sourceTopicRegex: [".*"] })] })),
    );
    expect(((body.topology as Obj).subtopologies as Obj[])[0]!.sourceTopicRegex).toEqual(["^vc\\-a\\.(?:.*)$"]);
    const refused = answeredError(
      await exchange(STREAMS_GROUP_HEARTBEAT, 1, streamsHeartbeat({ epoch: 0, subtopologies: [subtopology({ sourceTopicRegex: [".*)|(.*"] })] })),
      STREAMS_GROUP_HEARTBEAT,
      1,
    );
    expect(refused.errorCode).toBe(ErrorCode.INVALID_REGULAR_EXPRESSION);
  });

  test("internal topics the broker would create obey the topic policy", async () => {
    const policy: TopicPolicy = { maxPartitionsPerTopic: 4, maxPartitionsPerVcluster: 10, allowedConfigs: ["retention.ms"] };
    const withConfig = subtopology({
      stateChangelogTopics: [{
        name: "wordcount-store-changelog",
        partitions: 0,
        replicationFactor: 0,
        topicConfigs: [{ key: "min.insync.replicas", value: "1" }],
      }],
    });
    const badConfig = answeredError(
      await exchange(STREAMS_GROUP_HEARTBEAT, 1, streamsHeartbeat({ epoch: 0, subtopologies: [withConfig] }), policies(policy)),
      STREAMS_GROUP_HEARTBEAT,
      1,
    );
    expect(badConfig.errorCode).toBe(ErrorCode.POLICY_VIOLATION);
    expect(badConfig.errorMessage).toContain('Config "min.insync.replicas" is not allowed');

    const wide = subtopology({ repartitionSourceTopics: [{ name: "wordcount-rekey-repartition", partitions: 50, replicationFactor: 0, topicConfigs: [] }] });
    const tooWide = answeredError(
      await exchange(STREAMS_GROUP_HEARTBEAT, 1, streamsHeartbeat({ epoch: 0, subtopologies: [wide] }), policies(policy)),
      STREAMS_GROUP_HEARTBEAT,
      1,
    );
    expect(tooWide.errorMessage).toContain("maxPartitionsPerTopic");

    // Derived counts (0) count as the widest source topic: 4 + 4 new on top of 4 existing > 10.
    const full = answeredError(
      await exchange(STREAMS_GROUP_HEARTBEAT, 1, streamsHeartbeat({ epoch: 0, subtopologies: [subtopology()] }), policies(policy, { input: 4 })),
      STREAMS_GROUP_HEARTBEAT,
      1,
    );
    expect(full.errorMessage).toContain("maxPartitionsPerVcluster");
    // The same topology fits when the source is small, and a heartbeat without a topology is not checked.
    forwarded(await exchange(STREAMS_GROUP_HEARTBEAT, 1, streamsHeartbeat({ epoch: 0, subtopologies: [subtopology()] }), policies(policy, { input: 2 })));
    forwarded(await exchange(STREAMS_GROUP_HEARTBEAT, 1, streamsHeartbeat(null), policies(policy, { input: 9 })));
  });

  test("status details lose the prefix; user endpoints and foreign names never pass", async () => {
    const { outcome } = forwarded(await exchange(STREAMS_GROUP_HEARTBEAT, 1, streamsHeartbeat(null)));
    const res = await rewritten(outcome, STREAMS_GROUP_HEARTBEAT, 1, {
      throttleTimeMs: 0,
      errorCode: 0,
      errorMessage: null,
      memberId: "m1",
      memberEpoch: 1,
      heartbeatIntervalMs: 5000,
      acceptableRecoveryLagLegacy: 0,
      taskOffsetIntervalMs: 60000,
      acceptableRecoveryLag: -1n,
      status: [{ statusCode: 1, statusDetail: "Source topics vc-a.input are missing." }, { statusCode: 3, statusDetail: "Internal topics vc-b.x are missing" }],
      activeTasks: null,
      standbyTasks: null,
      warmupTasks: null,
      topologyDescriptionRequired: false,
      endpointInformationEpoch: 1,
      partitionsByUserEndpoint: [
        // An application that says it serves interactive queries at a broker's address keeps it.
        {
          userEndpoint: { host: "127.0.0.1", port: 9092 },
          activePartitions: [{ topic: "vc-a.input", partitions: [0] }, { topic: "vc-b.secret", partitions: [0] }],
          standbyPartitions: [],
        },
      ],
    });
    expect((res.status as Obj[]).map((s) => s.statusDetail)).toEqual([
      "Source topics input are missing.",
      "the backing cluster's message was withheld: it concerns resources outside this virtual cluster",
    ]);
    const ep = (res.partitionsByUserEndpoint as Obj[])[0]!;
    expect(ep.userEndpoint).toEqual({ host: "127.0.0.1", port: 9092 });
    expect(ep.activePartitions).toEqual([{ topic: "input", partitions: [0] }]);
  });

  test("StreamsGroupDescribe asks for the prefixed group and shows the tenant's names", async () => {
    const { body, outcome } = forwarded(
      await exchange(STREAMS_GROUP_DESCRIBE, 1, { groupIds: ["wordcount", "vc-b.app"], includeAuthorizedOperations: false, includeTopologyDescription: false }),
    );
    expect(body.groupIds).toEqual(["vc-a.wordcount", "vc-a.vc-b.app"]);
    const group = (groupId: string, topic: string): Obj => ({
      errorCode: 0,
      errorMessage: null,
      groupId,
      groupState: "Stable",
      groupEpoch: 1,
      assignmentEpoch: 1,
      topology: {
        epoch: 0,
        subtopologies: [{ subtopologyId: "0", sourceTopics: [topic], repartitionSinkTopics: [], stateChangelogTopics: [], repartitionSourceTopics: [] }],
      },
      members: [],
      authorizedOperations: -2147483648,
      topologyDescription: null,
      topologyDescriptionStatus: 0,
      assignorName: null,
    });
    const res = await rewritten(outcome, STREAMS_GROUP_DESCRIBE, 1, {
      throttleTimeMs: 0,
      groups: [group("vc-a.wordcount", "vc-a.input"), group("vc-b.app", "vc-b.secret")],
    });
    expect((res.groups as Obj[]).map((g) => g.groupId)).toEqual(["wordcount"]);
    expect((((res.groups as Obj[])[0]!.topology as Obj).subtopologies as Obj[])[0]!.sourceTopics).toEqual(["input"]);
  });
});
