// THE table: for every API a vcluster offers, which resources and operations kgate checks when
// the vcluster has `aclEnabled`, as Kafka's KafkaApis / AuthHelper check them on the broker, and
// how a refusal is answered (the API's authorization error, per entry where the broker answers
// per entry; list answers filtered to what the principal may DESCRIBE). Every offered API has
// an entry: a unit test checks, and an API without one is refused (fail closed).
import { defaultAlterConfigsResourceResponse as defaultAlterConfigsResource } from "../../protocol/messages/alter-configs-response.ts";
import { defaultCreatableTopicResult } from "../../protocol/messages/create-topics-response.ts";
import { defaultCreatePartitionsTopicResult } from "../../protocol/messages/create-partitions-response.ts";
import { defaultDeletableGroupResult } from "../../protocol/messages/delete-groups-response.ts";
import { defaultDeleteRecordsPartitionResult } from "../../protocol/messages/delete-records-response.ts";
import { defaultDeletableTopicResult } from "../../protocol/messages/delete-topics-response.ts";
import { defaultDescribeConfigsResult } from "../../protocol/messages/describe-configs-response.ts";
import { defaultDescribedGroup } from "../../protocol/messages/describe-groups-response.ts";
import { defaultDescribedGroup as defaultConsumerGroup } from "../../protocol/messages/consumer-group-describe-response.ts";
import { defaultPartitionResponse as defaultProducersPartition } from "../../protocol/messages/describe-producers-response.ts";
import { defaultTransactionState } from "../../protocol/messages/describe-transactions-response.ts";
import { defaultDescribeTopicPartitionsResponseTopic } from "../../protocol/messages/describe-topic-partitions-response.ts";
import { defaultPartitionData as defaultFetchPartition } from "../../protocol/messages/fetch-response.ts";
import { defaultCoordinator } from "../../protocol/messages/find-coordinator-response.ts";
import { defaultListOffsetsPartitionResponse } from "../../protocol/messages/list-offsets-response.ts";
import { defaultMetadataResponseTopic } from "../../protocol/messages/metadata-response.ts";
import { defaultOffsetCommitResponsePartition } from "../../protocol/messages/offset-commit-response.ts";
import { defaultOffsetDeleteResponsePartition } from "../../protocol/messages/offset-delete-response.ts";
import {
  defaultOffsetFetchResponseGroup,
  defaultOffsetFetchResponsePartition,
  defaultOffsetFetchResponsePartitions,
} from "../../protocol/messages/offset-fetch-response.ts";
import { defaultEpochEndOffset } from "../../protocol/messages/offset-for-leader-epoch-response.ts";
import { defaultPartitionProduceResponse } from "../../protocol/messages/produce-response.ts";
import { defaultTxnOffsetCommitResponsePartition } from "../../protocol/messages/txn-offset-commit-response.ts";
import { defaultDescribedGroup as defaultShareGroup } from "../../protocol/messages/share-group-describe-response.ts";
import { defaultDescribedGroup as defaultStreamsGroup } from "../../protocol/messages/streams-group-describe-response.ts";
import { defaultPartitionData as defaultShareFetchPartition } from "../../protocol/messages/share-fetch-response.ts";
import { defaultPartitionData as defaultShareAckPartition } from "../../protocol/messages/share-acknowledge-response.ts";
import {
  defaultDescribeShareGroupOffsetsResponseGroup,
  defaultDescribeShareGroupOffsetsResponsePartition,
} from "../../protocol/messages/describe-share-group-offsets-response.ts";
import { defaultAlterShareGroupOffsetsResponsePartition } from "../../protocol/messages/alter-share-group-offsets-response.ts";
import { defaultDeleteShareGroupOffsetsResponseTopic } from "../../protocol/messages/delete-share-group-offsets-response.ts";
import { AclError, CLUSTER_NAME, Op, Res } from "../../model/acl-model.ts";
import { type AclRefusal, type AclRuleContext, filterResponse, partitionsWith, refuseEntries, refuseNames } from "./acl-refusals.ts";

type Obj = Record<string, unknown>;

export interface ApiAcl {
  /** What is checked, for the README's ACL table. */
  readonly checks: string;
  /** Checks the decoded request (tenant names); takes refused entries out, or refuses it whole. */
  request(body: Obj, ctx: AclRuleContext): AclRefusal | void;
}

const { TOPIC_AUTHORIZATION_FAILED: TOPIC_DENIED, GROUP_AUTHORIZATION_FAILED: GROUP_DENIED } = AclError;
const { CLUSTER_AUTHORIZATION_FAILED: CLUSTER_DENIED, TRANSACTIONAL_ID_AUTHORIZATION_FAILED: TXN_DENIED } = AclError;

const refuse = (errorCode: number, message: string): AclRefusal => ({ errorCode, message });
const cluster = (ctx: AclRuleContext, op: number) => ctx.allows(op, Res.CLUSTER, CLUSTER_NAME);
/** 0 when allowed, else TOPIC_AUTHORIZATION_FAILED; a topic id kgate cannot name is left to the broker (UNKNOWN_TOPIC_ID). */
function topicVerdict(ctx: AclRuleContext, op: number, entry: Obj, nameProp: string): number {
  const name = ctx.topicName(entry, nameProp);
  return name === undefined || ctx.allows(op, Res.TOPIC, name) ? 0 : TOPIC_DENIED;
}
const groupVerdict = (ctx: AclRuleContext, op: number, group: string) => (ctx.allows(op, Res.GROUP, group) ? 0 : GROUP_DENIED);

/** Topic entries with partitions: the broker's per-partition error answer. */
function partitionTopics(spec: {
  req: string;
  name: string;
  parts: string;
  index: string | null;
  res: string;
  resParts: string;
  resIndex: string;
  partition: () => Obj;
  errorProp?: string;
  withTopicId?: boolean;
}) {
  return (body: Obj, ctx: AclRuleContext, verdict: (entry: Obj) => number) =>
    refuseEntries(body, spec.req, ctx, verdict, spec.res, (e, code) => ({
      [spec.name]: e[spec.name],
      ...(spec.withTopicId ? { topicId: e.topicId } : {}),
      [spec.resParts]: partitionsWith(e, spec.parts, spec.index, spec.partition, spec.resIndex, code, spec.errorProp),
    }));
}

const produceTopics = partitionTopics({
  req: "topicData",
  name: "name",
  parts: "partitionData",
  index: "index",
  res: "responses",
  resParts: "partitionResponses",
  resIndex: "index",
  partition: () => ({ ...defaultPartitionProduceResponse(), baseOffset: -1n }),
  withTopicId: true,
});
const fetchTopics = partitionTopics({
  req: "topics",
  name: "topic",
  parts: "partitions",
  index: "partition",
  res: "responses",
  resParts: "partitions",
  resIndex: "partitionIndex",
  partition: () => ({ ...defaultFetchPartition(), highWatermark: -1n, lastStableOffset: -1n, logStartOffset: -1n, records: new Uint8Array(0) }),
  withTopicId: true,
});
const listOffsetsTopics = partitionTopics({
  req: "topics",
  name: "name",
  parts: "partitions",
  index: "partitionIndex",
  res: "topics",
  resParts: "partitions",
  resIndex: "partitionIndex",
  partition: () => ({ ...defaultListOffsetsPartitionResponse(), timestamp: -1n, offset: -1n }),
});
const offsetCommitTopics = partitionTopics({
  req: "topics",
  name: "name",
  parts: "partitions",
  index: "partitionIndex",
  res: "topics",
  resParts: "partitions",
  resIndex: "partitionIndex",
  partition: () => ({ ...defaultOffsetCommitResponsePartition() }),
  withTopicId: true,
});
const txnOffsetCommitTopics = partitionTopics({
  req: "topics",
  name: "name",
  parts: "partitions",
  index: "partitionIndex",
  res: "topics",
  resParts: "partitions",
  resIndex: "partitionIndex",
  partition: () => ({ ...defaultTxnOffsetCommitResponsePartition() }),
  withTopicId: true,
});
const offsetDeleteTopics = partitionTopics({
  req: "topics",
  name: "name",
  parts: "partitions",
  index: "partitionIndex",
  res: "topics",
  resParts: "partitions",
  resIndex: "partitionIndex",
  partition: () => ({ ...defaultOffsetDeleteResponsePartition() }),
});
const deleteRecordsTopics = partitionTopics({
  req: "topics",
  name: "name",
  parts: "partitions",
  index: "partitionIndex",
  res: "topics",
  resParts: "partitions",
  resIndex: "partitionIndex",
  partition: () => ({ ...defaultDeleteRecordsPartitionResult(), lowWatermark: -1n }),
});
const leaderEpochTopics = partitionTopics({
  req: "topics",
  name: "topic",
  parts: "partitions",
  index: "partition",
  res: "topics",
  resParts: "partitions",
  resIndex: "partition",
  partition: () => ({ ...defaultEpochEndOffset(), leaderEpoch: -1, endOffset: -1n }),
});
const producersTopics = partitionTopics({
  req: "topics",
  name: "name",
  parts: "partitionIndexes",
  index: null,
  res: "topics",
  resParts: "partitions",
  resIndex: "partitionIndex",
  partition: () => ({ ...defaultProducersPartition() }),
});
const addPartitionsTopics = partitionTopics({
  req: "v3AndBelowTopics",
  name: "name",
  parts: "partitions",
  index: null,
  res: "resultsByTopicV3AndBelow",
  resParts: "resultsByPartition",
  resIndex: "partitionIndex",
  partition: () => ({ partitionIndex: 0, partitionErrorCode: 0 }),
  errorProp: "partitionErrorCode",
});

const shareFetchTopics = partitionTopics({
  req: "topics",
  name: "topicId",
  parts: "partitions",
  index: "partitionIndex",
  res: "responses",
  resParts: "partitions",
  resIndex: "partitionIndex",
  partition: () => ({ ...defaultShareFetchPartition(), errorMessage: "Topic authorization failed.", records: new Uint8Array(0) }),
});
const shareAckTopics = partitionTopics({
  req: "topics",
  name: "topicId",
  parts: "partitions",
  index: "partitionIndex",
  res: "responses",
  resParts: "partitions",
  resIndex: "partitionIndex",
  partition: () => ({ ...defaultShareAckPartition(), errorMessage: "Topic authorization failed." }),
});
const alterShareOffsetsTopics = (body: Obj, ctx: AclRuleContext, verdict: (entry: Obj) => number) =>
  refuseEntries(body, "topics", ctx, verdict, "responses", (t, code) => ({
    topicName: t.topicName,
    topicId: "0".repeat(32),
    partitions: partitionsWith(
      t,
      "partitions",
      "partitionIndex",
      () => ({ ...defaultAlterShareGroupOffsetsResponsePartition(), errorMessage: "Topic authorization failed." }),
      "partitionIndex",
      code,
    ),
  }));

/** Config resources (DescribeConfigs, AlterConfigs, IncrementalAlterConfigs): topics and groups; others go to the hand rule. */
function configResources(op: number, res: string, withConfigs: boolean): ApiAcl["request"] {
  return (body, ctx) => {
    refuseEntries(
      body,
      "resources",
      ctx,
      (r) => {
        if (r.resourceType === 2) return ctx.allows(op, Res.TOPIC, r.resourceName as string) ? 0 : TOPIC_DENIED;
        if (r.resourceType === 32) return ctx.allows(op, Res.GROUP, r.resourceName as string) ? 0 : GROUP_DENIED;
        return 0;
      },
      res,
      (r, code) => ({
        ...(withConfigs ? { ...defaultDescribeConfigsResult(), configs: [] } : defaultAlterConfigsResource()),
        errorCode: code,
        errorMessage: null,
        resourceType: r.resourceType,
        resourceName: r.resourceName,
      }),
    );
  };
}

/** Group-level APIs whose response has a top-level error: READ on the GROUP. */
const readGroup: ApiAcl = {
  checks: "READ on the GROUP",
  request: (body, ctx) => (ctx.allows(Op.READ, Res.GROUP, body.groupId as string) ? undefined : refuse(GROUP_DENIED, "Group authorization failed.")),
};

/** KIP-848 style heartbeats (consumer and share groups): READ on the GROUP, DESCRIBE on each subscribed TOPIC. */
function groupHeartbeat(body: Obj, ctx: AclRuleContext): AclRefusal | void {
  const refused = readGroup.request(body, ctx);
  if (refused) return refused;
  const names = (body.subscribedTopicNames as string[] | null) ?? [];
  const hidden = names.filter((n) => !ctx.allows(Op.DESCRIBE, Res.TOPIC, n));
  if (hidden.length > 0) return refuse(TOPIC_DENIED, `The member is not authorized to describe topics: ${hidden.join(", ")}`);
}

/**
 * ConsumerGroupDescribe, ShareGroupDescribe, StreamsGroupDescribe: DESCRIBE on each GROUP; and,
 * as Kafka 4.x's KafkaApis, a group whose topics (`topicsOf`, tenant names) are not all
 * DESCRIBE-able is answered TOPIC_AUTHORIZATION_FAILED without its members or topology.
 */
function describeGroups(body: Obj, ctx: AclRuleContext, describedGroup: () => object, topicsOf: (group: Obj) => string[], topicsMessage: string): void {
  refuseNames(body, "groupIds", ctx, (g) => groupVerdict(ctx, Op.DESCRIBE, g), "groups", (groupId, code) => ({
    ...describedGroup(),
    groupId,
    errorCode: code,
    errorMessage: "Group authorization failed.",
    authorizedOperations: -2147483648,
  }));
  ctx.fixups.push((res) => {
    res.groups = (res.groups as Obj[]).map((g) => {
      if (g.errorCode !== 0 || topicsOf(g).every((n) => ctx.allows(Op.DESCRIBE, Res.TOPIC, n))) return g;
      return { ...describedGroup(), groupId: g.groupId, errorCode: TOPIC_DENIED, errorMessage: topicsMessage };
    });
  });
  if (body.includeAuthorizedOperations === true) {
    ctx.fixups.push((res) => {
      for (const g of res.groups as Obj[]) if (g.errorCode === 0) g.authorizedOperations = ctx.authorizedOperations(Res.GROUP, g.groupId as string);
    });
  }
}

const ASSIGNED_TOPICS_DENIED = "The group has described topic(s) that the client is not authorized to describe.";
const assignedTopics = (assignment: unknown): string[] =>
  (((assignment as Obj | null)?.topicPartitions as Obj[] | undefined) ?? []).map((t) => t.topicName as string);
const membersTopics = (g: Obj, assignments: readonly string[]) =>
  ((g.members as Obj[] | undefined) ?? []).flatMap((m) => assignments.flatMap((a) => assignedTopics(m[a])));
/** A streams group's topology: its source, repartition and changelog topics. */
function topologyTopics(g: Obj): string[] {
  const subtopologies = ((g.topology as Obj | null)?.subtopologies as Obj[] | null | undefined) ?? [];
  return subtopologies.flatMap((s) => [
    ...(s.sourceTopics as string[]),
    ...(s.repartitionSinkTopics as string[]),
    ...(s.stateChangelogTopics as Obj[]).map((t) => t.name as string),
    ...(s.repartitionSourceTopics as Obj[]).map((t) => t.name as string),
  ]);
}

const TABLE: ReadonlyArray<readonly [number, ApiAcl]> = [
  [0, { // Produce
    checks: "WRITE on the TRANSACTIONAL_ID (transactional producers; else every partition TRANSACTIONAL_ID_AUTHORIZATION_FAILED); WRITE on each TOPIC",
    request(body, ctx) {
      const txn = body.transactionalId as string | null;
      const txnDenied = txn !== null && txn !== undefined && !ctx.allows(Op.WRITE, Res.TRANSACTIONAL_ID, txn);
      produceTopics(body, ctx, (t) => (txnDenied ? TXN_DENIED : topicVerdict(ctx, Op.WRITE, t, "name")));
    },
  }],
  [1, { // Fetch
    checks: "READ on each TOPIC, the request's and (in a fetch session) those the session holds",
    request(body, ctx) {
      fetchTopics(body, ctx, (t) => topicVerdict(ctx, Op.READ, t, "topic"));
      // A fetch session answers partitions an earlier request added: as the broker checks every
      // partition of the session, a topic whose READ was revoked since gets no more records.
      ctx.fixups.push((res) => {
        for (const t of res.responses as Obj[]) {
          const name = typeof t.topic === "string" && t.topic !== "" ? t.topic : ctx.knownTopicName(t.topicId as string);
          if (name === undefined || ctx.allows(Op.READ, Res.TOPIC, name)) continue;
          t.partitions = (t.partitions as Obj[]).map((p) => ({
            ...defaultFetchPartition(),
            partitionIndex: p.partitionIndex,
            errorCode: TOPIC_DENIED,
            highWatermark: -1n,
            lastStableOffset: -1n,
            logStartOffset: -1n,
            records: new Uint8Array(0),
          }));
        }
      });
    },
  }],
  [2, { // ListOffsets
    checks: "DESCRIBE on each TOPIC",
    request(body, ctx) {
      listOffsetsTopics(body, ctx, (t) => topicVerdict(ctx, Op.DESCRIBE, t, "name"));
    },
  }],
  [3, { // Metadata
    checks:
      "DESCRIBE on each TOPIC named (else TOPIC_AUTHORIZATION_FAILED); all topics: only those DESCRIBE allows; auto-creation needs CREATE on the CLUSTER or the TOPIC",
    request(body, ctx) {
      const v = ctx.version;
      const all = body.topics === null || (v === 0 && (body.topics as Obj[]).length === 0);
      if (all) {
        filterResponse(ctx, "topics", (t) => typeof t.name !== "string" || ctx.allows(Op.DESCRIBE, Res.TOPIC, t.name));
      } else {
        refuseEntries(body, "topics", ctx, (t) => topicVerdict(ctx, Op.DESCRIBE, t, "name"), "topics", (t, code) => ({
          ...defaultMetadataResponseTopic(),
          errorCode: code,
          name: t.name === null ? null : t.name,
          topicId: t.name === null ? t.topicId : "0".repeat(32),
        }));
        if (v === 0 && (body.topics as Obj[]).length === 0) return refuse(TOPIC_DENIED, "Topic authorization failed.");
        // Kafka creates a missing topic only for a principal with CREATE on the cluster or the topic.
        if (body.allowAutoTopicCreation === true && !cluster(ctx, Op.CREATE)) {
          const creatable = new Set((body.topics as Obj[]).map((t) => t.name as string).filter((n) => n && ctx.allows(Op.CREATE, Res.TOPIC, n)));
          if (creatable.size < (body.topics as Obj[]).length) {
            body.allowAutoTopicCreation = false;
            ctx.fixups.push((res) => {
              for (const t of res.topics as Obj[]) {
                if (t.errorCode === 3 && typeof t.name === "string" && !creatable.has(t.name)) t.errorCode = TOPIC_DENIED;
              }
            });
          }
        }
      }
      if (body.includeTopicAuthorizedOperations === true) {
        ctx.fixups.push((res) => {
          for (const t of res.topics as Obj[]) {
            if (t.errorCode === 0 && typeof t.name === "string") t.topicAuthorizedOperations = ctx.authorizedOperations(Res.TOPIC, t.name);
          }
        });
      }
      if (body.includeClusterAuthorizedOperations === true) {
        ctx.fixups.push((res) => {
          res.clusterAuthorizedOperations = cluster(ctx, Op.DESCRIBE) ? ctx.authorizedOperations(Res.CLUSTER, CLUSTER_NAME) : 0;
        });
      }
    },
  }],
  [8, { // OffsetCommit
    checks: "READ on the GROUP (else every partition GROUP_AUTHORIZATION_FAILED); READ on each TOPIC",
    request(body, ctx) {
      const groupDenied = !ctx.allows(Op.READ, Res.GROUP, body.groupId as string);
      offsetCommitTopics(body, ctx, (t) => (groupDenied ? GROUP_DENIED : topicVerdict(ctx, Op.READ, t, "name")));
    },
  }],
  [9, { // OffsetFetch
    checks: "DESCRIBE on each GROUP (GROUP_AUTHORIZATION_FAILED); offsets only of topics DESCRIBE allows (named ones TOPIC_AUTHORIZATION_FAILED)",
    request(body, ctx) {
      const topicOk = (n: string) => ctx.allows(Op.DESCRIBE, Res.TOPIC, n);
      if (ctx.version < 8) {
        if (!ctx.allows(Op.DESCRIBE, Res.GROUP, body.groupId as string)) return refuse(GROUP_DENIED, "Group authorization failed.");
        if (body.topics === null) return filterResponse(ctx, "topics", (t) => topicOk(t.name as string));
        refuseEntries(body, "topics", ctx, (t) => (topicOk(t.name as string) ? 0 : TOPIC_DENIED), "topics", (t, code) => ({
          name: t.name,
          partitions: partitionsWith(
            t,
            "partitionIndexes",
            null,
            () => ({ ...defaultOffsetFetchResponsePartition(), committedOffset: -1n }),
            "partitionIndex",
            code,
          ),
        }));
        return;
      }
      refuseEntries(body, "groups", ctx, (g) => groupVerdict(ctx, Op.DESCRIBE, g.groupId as string), "groups", (g, code) => ({
        ...defaultOffsetFetchResponseGroup(),
        groupId: g.groupId,
        errorCode: code,
      }));
      for (const g of body.groups as Obj[]) {
        const groupId = g.groupId;
        if (g.topics === null) {
          ctx.fixups.push((res) => {
            for (const rg of res.groups as Obj[]) {
              if (rg.groupId === groupId) rg.topics = (rg.topics as Obj[]).filter((t) => t.name === "" || topicOk(t.name as string));
            }
          });
          continue;
        }
        const denied = (g.topics as Obj[]).filter((t) => topicVerdict(ctx, Op.DESCRIBE, t, "name") !== 0);
        if (denied.length === 0) continue;
        g.topics = (g.topics as Obj[]).filter((t) => !denied.includes(t));
        ctx.fixups.push((res) => {
          const rg = (res.groups as Obj[]).find((x) => x.groupId === groupId);
          rg && (rg.topics as Obj[]).push(...denied.map((t) => ({
            name: t.name,
            topicId: t.topicId,
            partitions: partitionsWith(
              t,
              "partitionIndexes",
              null,
              () => ({ ...defaultOffsetFetchResponsePartitions(), committedOffset: -1n }),
              "partitionIndex",
              TOPIC_DENIED,
            ),
          })));
        });
      }
    },
  }],
  [10, { // FindCoordinator
    checks: "DESCRIBE on the GROUP or TRANSACTIONAL_ID of each key",
    request(body, ctx) {
      const type = body.keyType === 1 ? Res.TRANSACTIONAL_ID : body.keyType === 0 ? Res.GROUP : null;
      if (type === null) return;
      const denied = type === Res.GROUP ? GROUP_DENIED : TXN_DENIED;
      if (ctx.version < 4) return ctx.allows(Op.DESCRIBE, type, body.key as string) ? undefined : refuse(denied, "Authorization failed.");
      refuseNames(body, "coordinatorKeys", ctx, (k) => (ctx.allows(Op.DESCRIBE, type, k) ? 0 : denied), "coordinators", (key, code) => ({
        ...defaultCoordinator(),
        key,
        nodeId: -1,
        host: "",
        port: -1,
        errorCode: code,
        errorMessage: "Authorization failed.",
      }));
    },
  }],
  [11, readGroup], // JoinGroup
  [12, readGroup], // Heartbeat
  [13, readGroup], // LeaveGroup
  [14, readGroup], // SyncGroup
  [15, { // DescribeGroups
    checks: "DESCRIBE on each GROUP",
    request(body, ctx) {
      refuseNames(body, "groups", ctx, (g) => groupVerdict(ctx, Op.DESCRIBE, g), "groups", (groupId, code) => ({
        ...defaultDescribedGroup(),
        groupId,
        errorCode: code,
        errorMessage: null,
        authorizedOperations: -2147483648,
      }));
      if (body.includeAuthorizedOperations === true) {
        ctx.fixups.push((res) => {
          for (const g of res.groups as Obj[]) if (g.errorCode === 0) g.authorizedOperations = ctx.authorizedOperations(Res.GROUP, g.groupId as string);
        });
      }
    },
  }],
  [16, { // ListGroups
    checks: "all groups with DESCRIBE on the CLUSTER, else only the GROUPs DESCRIBE allows",
    request(_body, ctx) {
      if (!cluster(ctx, Op.DESCRIBE)) filterResponse(ctx, "groups", (g) => ctx.allows(Op.DESCRIBE, Res.GROUP, g.groupId as string));
    },
  }],
  [19, { // CreateTopics
    checks: "CREATE on the CLUSTER or on each TOPIC; configs in the answer need DESCRIBE_CONFIGS on the TOPIC",
    request(body, ctx) {
      const clusterCreate = cluster(ctx, Op.CREATE);
      refuseEntries(
        body,
        "topics",
        ctx,
        (t) => (clusterCreate || ctx.allows(Op.CREATE, Res.TOPIC, t.name as string) ? 0 : TOPIC_DENIED),
        "topics",
        (t, code) => ({
          ...defaultCreatableTopicResult(),
          name: t.name,
          errorCode: code,
          errorMessage: "Authorization failed.",
          topicConfigErrorCode: code,
          numPartitions: -1,
          replicationFactor: -1,
          configs: null,
        }),
      );
      ctx.fixups.push((res) => {
        for (const t of res.topics as Obj[]) {
          if (t.errorCode === 0 && !ctx.allows(Op.DESCRIBE_CONFIGS, Res.TOPIC, t.name as string)) {
            t.topicConfigErrorCode = TOPIC_DENIED;
            t.configs = null;
          }
        }
      });
    },
  }],
  [20, { // DeleteTopics
    checks: "DELETE on each TOPIC (by id: DESCRIBE, then DELETE)",
    request(body, ctx) {
      const result = (name: string | null, topicId: string, code: number) => ({
        ...defaultDeletableTopicResult(),
        name,
        topicId,
        errorCode: code,
        errorMessage: "Authorization failed.",
      });
      if (ctx.version < 6) {
        refuseNames(
          body,
          "topicNames",
          ctx,
          (n) => (ctx.allows(Op.DELETE, Res.TOPIC, n) ? 0 : TOPIC_DENIED),
          "responses",
          (n, code) => result(n, "00000000000000000000000000000000", code),
        );
        return;
      }
      refuseEntries(
        body,
        "topics",
        ctx,
        (t) => topicVerdict(ctx, Op.DELETE, t, "name"),
        "responses",
        (t, code) => result(t.name as string | null, t.topicId as string, code),
      );
    },
  }],
  [21, { // DeleteRecords
    checks: "DELETE on each TOPIC",
    request(body, ctx) {
      deleteRecordsTopics(body, ctx, (t) => topicVerdict(ctx, Op.DELETE, t, "name"));
    },
  }],
  [22, { // InitProducerId
    checks: "WRITE on the TRANSACTIONAL_ID; without one, IDEMPOTENT_WRITE on the CLUSTER or WRITE on any TOPIC",
    request(body, ctx) {
      const txn = body.transactionalId as string | null;
      if (txn !== null && txn !== undefined) {
        return ctx.allows(Op.WRITE, Res.TRANSACTIONAL_ID, txn) ? undefined : refuse(TXN_DENIED, "Transactional Id authorization failed.");
      }
      if (cluster(ctx, Op.IDEMPOTENT_WRITE) || ctx.allowsAnyOfType(Op.WRITE, Res.TOPIC)) return;
      return refuse(CLUSTER_DENIED, "Cluster authorization failed.");
    },
  }],
  [23, { // OffsetForLeaderEpoch
    checks: "DESCRIBE on each TOPIC (or CLUSTER_ACTION on the CLUSTER)",
    request(body, ctx) {
      if (cluster(ctx, Op.CLUSTER_ACTION)) return;
      leaderEpochTopics(body, ctx, (t) => topicVerdict(ctx, Op.DESCRIBE, t, "topic"));
    },
  }],
  [24, { // AddPartitionsToTxn
    checks: "v0-3: WRITE on the TRANSACTIONAL_ID and on each TOPIC (the rest OPERATION_NOT_ATTEMPTED); v4+ (brokers): CLUSTER_ACTION on the CLUSTER",
    request(body, ctx) {
      if (ctx.version >= 4) return cluster(ctx, Op.CLUSTER_ACTION) ? undefined : refuse(CLUSTER_DENIED, "Cluster authorization failed.");
      if (!ctx.allows(Op.WRITE, Res.TRANSACTIONAL_ID, body.v3AndBelowTransactionalId as string)) {
        addPartitionsTopics(body, ctx, () => TXN_DENIED);
        return;
      }
      const denied = addPartitionsTopics(body, ctx, (t) => topicVerdict(ctx, Op.WRITE, t, "name"));
      // The broker adds none of them when one is refused.
      if (denied > 0) addPartitionsTopics(body, ctx, () => AclError.OPERATION_NOT_ATTEMPTED);
    },
  }],
  [25, { // AddOffsetsToTxn
    checks: "WRITE on the TRANSACTIONAL_ID; READ on the GROUP",
    request(body, ctx) {
      if (!ctx.allows(Op.WRITE, Res.TRANSACTIONAL_ID, body.transactionalId as string)) return refuse(TXN_DENIED, "Transactional Id authorization failed.");
      if (!ctx.allows(Op.READ, Res.GROUP, body.groupId as string)) return refuse(GROUP_DENIED, "Group authorization failed.");
    },
  }],
  [26, { // EndTxn
    checks: "WRITE on the TRANSACTIONAL_ID",
    request: (body, ctx) =>
      ctx.allows(Op.WRITE, Res.TRANSACTIONAL_ID, body.transactionalId as string) ? undefined : refuse(TXN_DENIED, "Transactional Id authorization failed."),
  }],
  [28, { // TxnOffsetCommit
    checks: "WRITE on the TRANSACTIONAL_ID, READ on the GROUP (else every partition fails so); READ on each TOPIC",
    request(body, ctx) {
      const whole = !ctx.allows(Op.WRITE, Res.TRANSACTIONAL_ID, body.transactionalId as string)
        ? TXN_DENIED
        : !ctx.allows(Op.READ, Res.GROUP, body.groupId as string)
        ? GROUP_DENIED
        : 0;
      txnOffsetCommitTopics(body, ctx, (t) => whole || topicVerdict(ctx, Op.READ, t, "name"));
    },
  }],
  [32, { checks: "DESCRIBE_CONFIGS on each TOPIC or GROUP resource", request: configResources(Op.DESCRIBE_CONFIGS, "results", true) }],
  [33, { checks: "ALTER_CONFIGS on each TOPIC or GROUP resource", request: configResources(Op.ALTER_CONFIGS, "responses", false) }],
  [35, { // DescribeLogDirs
    checks: "DESCRIBE on the CLUSTER (else CLUSTER_AUTHORIZATION_FAILED, no directories)",
    request(_body, ctx) {
      if (cluster(ctx, Op.DESCRIBE)) return;
      ctx.fixups.push((res) => {
        res.results = [];
        if ("errorCode" in res) res.errorCode = CLUSTER_DENIED;
      });
    },
  }],
  [37, { // CreatePartitions
    checks: "ALTER on each TOPIC",
    request(body, ctx) {
      refuseEntries(body, "topics", ctx, (t) => (ctx.allows(Op.ALTER, Res.TOPIC, t.name as string) ? 0 : TOPIC_DENIED), "results", (t, code) => ({
        ...defaultCreatePartitionsTopicResult(),
        name: t.name,
        errorCode: code,
        errorMessage: "The topic authorization is failed.",
      }));
    },
  }],
  [42, { // DeleteGroups
    checks: "DELETE on each GROUP",
    request(body, ctx) {
      refuseNames(body, "groupsNames", ctx, (g) => groupVerdict(ctx, Op.DELETE, g), "results", (groupId, code) => ({
        ...defaultDeletableGroupResult(),
        groupId,
        errorCode: code,
      }));
    },
  }],
  [44, { checks: "ALTER_CONFIGS on each TOPIC or GROUP resource", request: configResources(Op.ALTER_CONFIGS, "responses", false) }],
  [46, { // ListPartitionReassignments
    checks: "DESCRIBE on the CLUSTER",
    request: (_body, ctx) => (cluster(ctx, Op.DESCRIBE) ? undefined : refuse(CLUSTER_DENIED, "Cluster authorization failed.")),
  }],
  [47, { // OffsetDelete
    checks: "DELETE on the GROUP; READ on each TOPIC",
    request(body, ctx) {
      if (!ctx.allows(Op.DELETE, Res.GROUP, body.groupId as string)) return refuse(GROUP_DENIED, "Group authorization failed.");
      offsetDeleteTopics(body, ctx, (t) => topicVerdict(ctx, Op.READ, t, "name"));
    },
  }],
  [60, { // DescribeCluster
    checks: "nothing; authorized operations need DESCRIBE on the CLUSTER",
    request(body, ctx) {
      if (body.includeClusterAuthorizedOperations !== true) return;
      ctx.fixups.push((res) => {
        res.clusterAuthorizedOperations = cluster(ctx, Op.DESCRIBE) ? ctx.authorizedOperations(Res.CLUSTER, CLUSTER_NAME) : 0;
      });
    },
  }],
  [61, { // DescribeProducers
    checks: "READ on each TOPIC",
    request(body, ctx) {
      producersTopics(body, ctx, (t) => topicVerdict(ctx, Op.READ, t, "name"));
    },
  }],
  [65, { // DescribeTransactions
    checks: "DESCRIBE on each TRANSACTIONAL_ID; its partitions only of topics DESCRIBE allows",
    request(body, ctx) {
      refuseNames(
        body,
        "transactionalIds",
        ctx,
        (id) => (ctx.allows(Op.DESCRIBE, Res.TRANSACTIONAL_ID, id) ? 0 : TXN_DENIED),
        "transactionStates",
        (transactionalId, code) => ({
          ...defaultTransactionState(),
          transactionalId,
          errorCode: code,
          transactionState: "",
          producerId: -1n,
          producerEpoch: -1,
        }),
      );
      ctx.fixups.push((res) => {
        for (const s of res.transactionStates as Obj[]) s.topics = (s.topics as Obj[]).filter((t) => ctx.allows(Op.DESCRIBE, Res.TOPIC, t.topic as string));
      });
    },
  }],
  [66, { // ListTransactions
    checks: "only the TRANSACTIONAL_IDs DESCRIBE allows",
    request(_body, ctx) {
      filterResponse(ctx, "transactionStates", (s) => ctx.allows(Op.DESCRIBE, Res.TRANSACTIONAL_ID, s.transactionalId as string));
    },
  }],
  [68, { // ConsumerGroupHeartbeat
    checks: "READ on the GROUP; DESCRIBE on each subscribed TOPIC (Kafka 4.x: else TOPIC_AUTHORIZATION_FAILED)",
    request: (body, ctx) => groupHeartbeat(body, ctx),
  }],
  [69, { // ConsumerGroupDescribe
    checks: "DESCRIBE on each GROUP; a group whose members' assigned TOPICs are not all DESCRIBE-able is TOPIC_AUTHORIZATION_FAILED",
    request: (body, ctx) =>
      describeGroups(body, ctx, defaultConsumerGroup, (g) => membersTopics(g, ["assignment", "targetAssignment"]), ASSIGNED_TOPICS_DENIED),
  }],
  [75, { // DescribeTopicPartitions
    checks: "DESCRIBE on each TOPIC named (TOPIC_AUTHORIZATION_FAILED); all topics: only those DESCRIBE allows",
    request(body, ctx) {
      const topicOk = (n: string) => ctx.allows(Op.DESCRIBE, Res.TOPIC, n);
      refuseEntries(body, "topics", ctx, (t) => (topicOk(t.name as string) ? 0 : TOPIC_DENIED), "topics", (t, code) => ({
        ...defaultDescribeTopicPartitionsResponseTopic(),
        name: t.name,
        errorCode: code,
      }));
      filterResponse(ctx, "topics", (t) => t.errorCode !== 0 || typeof t.name !== "string" || topicOk(t.name));
    },
  }],
  [76, { // ShareGroupHeartbeat
    checks: "READ on the GROUP; DESCRIBE on each subscribed TOPIC (else TOPIC_AUTHORIZATION_FAILED)",
    request: (body, ctx) => groupHeartbeat(body, ctx),
  }],
  [77, { // ShareGroupDescribe
    checks: "DESCRIBE on each GROUP; a group whose members' assigned TOPICs are not all DESCRIBE-able is TOPIC_AUTHORIZATION_FAILED",
    request: (body, ctx) => describeGroups(body, ctx, defaultShareGroup, (g) => membersTopics(g, ["assignment"]), ASSIGNED_TOPICS_DENIED),
  }],
  [78, { // ShareFetch
    checks: "READ on the GROUP (GROUP_AUTHORIZATION_FAILED); READ on each TOPIC (per partition TOPIC_AUTHORIZATION_FAILED)",
    request(body, ctx) {
      // The group id is nullable on the wire; a null one is no group READ can allow.
      if (!ctx.allows(Op.READ, Res.GROUP, (body.groupId as string | null) ?? "")) return refuse(GROUP_DENIED, "Group authorization failed.");
      shareFetchTopics(body, ctx, (t) => topicVerdict(ctx, Op.READ, t, "topicName"));
    },
  }],
  [79, { // ShareAcknowledge
    checks: "READ on the GROUP (GROUP_AUTHORIZATION_FAILED); READ on each TOPIC (per partition TOPIC_AUTHORIZATION_FAILED)",
    request(body, ctx) {
      // The group id is nullable on the wire; a null one is no group READ can allow.
      if (!ctx.allows(Op.READ, Res.GROUP, (body.groupId as string | null) ?? "")) return refuse(GROUP_DENIED, "Group authorization failed.");
      shareAckTopics(body, ctx, (t) => topicVerdict(ctx, Op.READ, t, "topicName"));
    },
  }],
  [88, { // StreamsGroupHeartbeat
    checks:
      "READ on the GROUP; with a topology DESCRIBE on every source, repartition and changelog TOPIC (else TOPIC_AUTHORIZATION_FAILED) and CREATE on the CLUSTER or on each internal TOPIC (else TOPIC_AUTHORIZATION_FAILED: the broker would create them as kgate)",
    request(body, ctx) {
      const refused = readGroup.request(body, ctx);
      if (refused) return refused;
      const subtopologies = ((body.topology as Obj | null)?.subtopologies as Obj[] | undefined) ?? [];
      const internal = subtopologies.flatMap((s) =>
        [...(s.repartitionSourceTopics as Obj[]), ...(s.stateChangelogTopics as Obj[])].map((t) => t.name as string)
      );
      const required = [...subtopologies.flatMap((s) => [...(s.sourceTopics as string[]), ...(s.repartitionSinkTopics as string[])]), ...internal];
      const hidden = [...new Set(required.filter((n) => !ctx.allows(Op.DESCRIBE, Res.TOPIC, n)))];
      if (hidden.length > 0) return refuse(TOPIC_DENIED, `Unauthorized topics: ${hidden.join(", ")}`);
      // The broker creates missing internal topics as kgate's backing principal, which may
      // create anything: kgate cannot leave the creation out as Kafka does for a member without
      // CREATE (status MISSING_INTERNAL_TOPICS), so it refuses the heartbeat instead.
      if (cluster(ctx, Op.CREATE)) return;
      const uncreatable = [...new Set(internal.filter((n) => !ctx.allows(Op.CREATE, Res.TOPIC, n)))];
      if (uncreatable.length > 0) return refuse(TOPIC_DENIED, `Unauthorized to CREATE on topics ${uncreatable.join(", ")}.`);
    },
  }],
  [89, { // StreamsGroupDescribe
    checks: "DESCRIBE on each GROUP; a group whose topology's TOPICs are not all DESCRIBE-able is TOPIC_AUTHORIZATION_FAILED",
    request: (body, ctx) =>
      describeGroups(body, ctx, defaultStreamsGroup, topologyTopics, "The described group uses topics that the client is not authorized to describe."),
  }],
  [90, { // DescribeShareGroupOffsets
    checks:
      "DESCRIBE on each GROUP (GROUP_AUTHORIZATION_FAILED); DESCRIBE on each TOPIC named (per partition TOPIC_AUTHORIZATION_FAILED); all topics: only those DESCRIBE allows",
    request(body, ctx) {
      const topicOk = (n: string) => ctx.allows(Op.DESCRIBE, Res.TOPIC, n);
      refuseEntries(body, "groups", ctx, (g) => groupVerdict(ctx, Op.DESCRIBE, g.groupId as string), "groups", (g, code) => ({
        ...defaultDescribeShareGroupOffsetsResponseGroup(),
        groupId: g.groupId,
        errorCode: code,
        errorMessage: "Group authorization failed.",
      }));
      for (const g of body.groups as Obj[]) {
        const groupId = g.groupId;
        const groupTopics = (res: Obj) => ((res.groups as Obj[]).find((rg) => rg.groupId === groupId)?.topics as Obj[] | undefined) ?? [];
        if (g.topics === null) {
          ctx.fixups.push((res) => {
            for (const rg of res.groups as Obj[]) if (rg.groupId === groupId) rg.topics = (rg.topics as Obj[]).filter((t) => topicOk(t.topicName as string));
          });
          continue;
        }
        refuseEntries(g, "topics", ctx, (t) => (topicOk(t.topicName as string) ? 0 : TOPIC_DENIED), groupTopics, (t, code) => ({
          topicName: t.topicName,
          topicId: "0".repeat(32),
          partitions: partitionsWith(
            t,
            "partitions",
            null,
            () => ({
              ...defaultDescribeShareGroupOffsetsResponsePartition(),
              startOffset: -1n,
              leaderEpoch: -1,
              lag: -1n,
              errorMessage: "Topic authorization failed.",
            }),
            "partitionIndex",
            code,
          ),
        }));
      }
    },
  }],
  [91, { // AlterShareGroupOffsets
    checks: "READ on the GROUP (GROUP_AUTHORIZATION_FAILED); READ on each TOPIC (per partition TOPIC_AUTHORIZATION_FAILED)",
    request(body, ctx) {
      if (!ctx.allows(Op.READ, Res.GROUP, body.groupId as string)) return refuse(GROUP_DENIED, "Group authorization failed.");
      alterShareOffsetsTopics(body, ctx, (t) => (ctx.allows(Op.READ, Res.TOPIC, t.topicName as string) ? 0 : TOPIC_DENIED));
    },
  }],
  [92, { // DeleteShareGroupOffsets
    checks: "DELETE on the GROUP (GROUP_AUTHORIZATION_FAILED); READ on each TOPIC (TOPIC_AUTHORIZATION_FAILED)",
    request(body, ctx) {
      if (!ctx.allows(Op.DELETE, Res.GROUP, body.groupId as string)) return refuse(GROUP_DENIED, "Group authorization failed.");
      refuseEntries(body, "topics", ctx, (t) => (ctx.allows(Op.READ, Res.TOPIC, t.topicName as string) ? 0 : TOPIC_DENIED), "responses", (t, code) => ({
        ...defaultDeleteShareGroupOffsetsResponseTopic(),
        topicName: t.topicName,
        errorCode: code,
        errorMessage: "Topic authorization failed.",
      }));
    },
  }],
  [93, readGroup], // StreamsGroupTopologyDescriptionUpdate: a member's request, as the heartbeat
  // Answered by kgate without a broker: telemetry (nothing to authorize, as the broker), and the
  // ACL APIs themselves (acl-apis.ts: ALTER on the CLUSTER to create or delete, DESCRIBE to describe).
  [71, { checks: "nothing (answered by kgate)", request: () => undefined }],
  [72, { checks: "nothing (answered by kgate)", request: () => undefined }],
  [29, { checks: "DESCRIBE on the CLUSTER (answered by kgate from its store)", request: () => undefined }],
  [30, { checks: "ALTER on the CLUSTER (answered by kgate into its store)", request: () => undefined }],
  [31, { checks: "ALTER on the CLUSTER (answered by kgate from its store)", request: () => undefined }],
  // Never reach the table: answered during login.
  [17, { checks: "nothing (before login)", request: () => undefined }],
  [18, { checks: "nothing (before login)", request: () => undefined }],
  [36, { checks: "nothing (before login)", request: () => undefined }],
];

export const API_ACLS: ReadonlyMap<number, ApiAcl> = new Map(TABLE);
