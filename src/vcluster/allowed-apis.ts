// The APIs a virtual cluster offers: those kgate rewrites completely (fail closed). Anything not
// listed is left out of ApiVersions and refused if sent anyway.
import type { VersionFilter } from "../gateway/api-versions.ts";
import type { ApiKey } from "../protocol/messages/api-keys.ts";
import { apiSpec } from "../protocol/registry.ts";

const ALL = [0, Infinity] as const;

/** apiKey → the versions offered inside a vcluster (further clamped to codec and broker). */
const OFFERED: ReadonlyMap<number, readonly [number, number]> = new Map<ApiKey, readonly [number, number]>([
  [0, ALL], // Produce
  [1, ALL], // Fetch
  [2, ALL], // ListOffsets
  [3, ALL], // Metadata
  [8, ALL], // OffsetCommit
  [9, ALL], // OffsetFetch
  [10, ALL], // FindCoordinator
  [11, ALL], // JoinGroup
  [12, ALL], // Heartbeat
  [13, ALL], // LeaveGroup
  [14, ALL], // SyncGroup
  [15, ALL], // DescribeGroups
  [16, ALL], // ListGroups
  // SaslHandshake: every version; after v0 the SASL tokens come unframed, without Kafka headers.
  [17, ALL],
  [18, ALL], // ApiVersions
  [19, ALL], // CreateTopics
  [20, ALL], // DeleteTopics
  [21, ALL], // DeleteRecords
  [22, ALL], // InitProducerId
  [23, ALL], // OffsetForLeaderEpoch
  [24, ALL], // AddPartitionsToTxn
  [25, ALL], // AddOffsetsToTxn
  [26, ALL], // EndTxn
  [28, ALL], // TxnOffsetCommit
  [29, ALL], // DescribeAcls (answered by kgate from its store)
  [30, ALL], // CreateAcls (answered by kgate into its store)
  [31, ALL], // DeleteAcls (answered by kgate from its store)
  [32, ALL], // DescribeConfigs (topic and group resources)
  [33, ALL], // AlterConfigs (topic and group resources)
  [35, ALL], // DescribeLogDirs (filtered to the tenant's topics)
  [36, ALL], // SaslAuthenticate
  [37, ALL], // CreatePartitions
  [42, ALL], // DeleteGroups
  [44, ALL], // IncrementalAlterConfigs (topic and group resources)
  [46, ALL], // ListPartitionReassignments (filtered)
  [47, ALL], // OffsetDelete
  [60, ALL], // DescribeCluster
  [61, ALL], // DescribeProducers
  [65, ALL], // DescribeTransactions
  [66, ALL], // ListTransactions
  [68, ALL], // ConsumerGroupHeartbeat (KIP-848)
  [69, ALL], // ConsumerGroupDescribe
  [71, ALL], // GetTelemetrySubscriptions (answered by kgate: no subscription)
  [72, ALL], // PushTelemetry (answered by kgate, dropped unread)
  [75, ALL], // DescribeTopicPartitions
  [76, ALL], // ShareGroupHeartbeat (KIP-932)
  [77, ALL], // ShareGroupDescribe
  [78, ALL], // ShareFetch (topic ids guarded)
  [79, ALL], // ShareAcknowledge (topic ids guarded)
  [88, ALL], // StreamsGroupHeartbeat (KIP-1071)
  [89, ALL], // StreamsGroupDescribe
  [90, ALL], // DescribeShareGroupOffsets
  [91, ALL], // AlterShareGroupOffsets
  [92, ALL], // DeleteShareGroupOffsets
  [93, ALL], // StreamsGroupTopologyDescriptionUpdate
]);

export function offeredVersions(apiKey: number): { min: number; max: number } | null {
  const r = OFFERED.get(apiKey);
  const spec = apiSpec(apiKey);
  if (!r || !spec) return null;
  const min = Math.max(r[0], spec.minVersion);
  const max = Math.min(r[1], spec.maxVersion);
  return min <= max ? { min, max } : null;
}

export const vclusterVersionFilter: VersionFilter = offeredVersions;

export function offeredApiKeys(): number[] {
  return [...OFFERED.keys()];
}

/**
 * What the generated entity fields do not tell about an offered API: answered by kgate, hand
 * rules, filters. Shown in the README's API table (`npm run gen:api-table`).
 */
export const HANDLING_NOTES: ReadonlyMap<number, string> = new Map<ApiKey, string>([
  [0, "records pass as bytes, never decoded"],
  [1, "fetch sessions belong to the connection; replica id forced to a consumer's"],
  [2, "replica id forced to a consumer's"],
  [10, "coordinator keys (group, transactional id) prefixed"],
  [11, "topic names inside the consumer protocol's subscription prefixed"],
  [14, "topic names inside the consumer protocol's assignments prefixed"],
  [15, "topic names inside member metadata and assignments stripped"],
  [17, "answered by kgate (PLAIN, SCRAM); after v0 the tokens come unframed"],
  [18, "answered by kgate from the backing versions, clamped to this table"],
  [19, "topic policy applied; topic name length checked with the prefix"],
  [23, "replica id forced to a consumer's"],
  [29, "answered by kgate from the vcluster's own ACLs in its store, never forwarded"],
  [30, "answered by kgate: stored as the vcluster's own ACLs (tenant names), never forwarded"],
  [31, "answered by kgate from the vcluster's own ACLs in its store, never forwarded"],
  [32, "topic and group resource names prefixed (hand rule), other resources refused one by one; broker config sources scrubbed"],
  [33, "topic and group resource names prefixed (hand rule), other resources refused one by one; topic policy applied"],
  [35, "filtered to the tenant's topics; log-dir paths and sizes scrubbed"],
  [36, "answered by kgate"],
  [37, "topic policy applied"],
  [44, "topic and group resource names prefixed (hand rule), other resources refused one by one; topic policy applied"],
  [46, "filtered to the tenant's topics"],
  [66, "id pattern applied by kgate (RE2) to the tenant's own transactional ids"],
  [68, "subscription regex anchored inside the tenant's prefix"],
  [69, "members' subscription regexes un-anchored"],
  [71, "answered by kgate: no subscription (no metrics requested), never forwarded"],
  [72, "answered by kgate; the payload is dropped unread, never forwarded"],
  [75, "a cursor outside the tenant's topics is moved or ended"],
  [78, "topic ids the tenant does not own are swapped for unknown ones; share sessions belong to the tenant's (prefixed) group"],
  [79, "topic ids the tenant does not own are swapped for unknown ones"],
  [
    88,
    "source-topic regexes anchored inside the tenant's prefix; internal topics (named after the prefixed group) checked against the topic policy; status details scrubbed; user endpoints pass as sent",
  ],
  [89, "user endpoints pass as sent (application addresses, not brokers')"],
]);

/**
 * Why each API of the pinned Kafka version that is not offered is refused inside a vcluster
 * (fail closed, invariant 1). Every API key is either offered or listed here; a unit test checks.
 */
export const REFUSED_BECAUSE: ReadonlyMap<number, string> = new Map<ApiKey, string>([
  [27, "inter-broker (transaction markers); never sent by clients"],
  [34, "moves replicas between broker disks: an operator's task"],
  [38, "delegation tokens are for backing principals; tenants log in to kgate"],
  [39, "delegation tokens are for backing principals; tenants log in to kgate"],
  [40, "delegation tokens are for backing principals; tenants log in to kgate"],
  [41, "delegation tokens are for backing principals; tenants log in to kgate"],
  [43, "leader elections affect every tenant's partitions: an operator's task"],
  [45, "partition reassignment moves data between brokers: an operator's task"],
  [48, "quotas are set for backing principals and client ids across tenants"],
  [49, "quotas are set for backing principals and client ids across tenants"],
  [50, "backing SCRAM credentials are the operator's; tenant accounts live in kgate's admin API"],
  [51, "backing SCRAM credentials are the operator's; tenant accounts live in kgate's admin API"],
  [55, "KRaft quorum state of the backing cluster"],
  [57, "cluster-wide feature levels"],
  [64, "cluster membership (brokers)"],
  [74, "lists config resources of every tenant; not filtered yet"],
  [80, "KRaft quorum membership"],
  [81, "KRaft quorum membership"],
  [83, "inter-broker (share-group state); never sent by clients"],
  [84, "inter-broker (share-group state); never sent by clients"],
  [85, "inter-broker (share-group state); never sent by clients"],
  [86, "inter-broker (share-group state); never sent by clients"],
  [87, "inter-broker (share-group state); never sent by clients"],
  [94, "cluster membership (controllers)"],
]);
