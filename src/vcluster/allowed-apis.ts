// The APIs a virtual cluster offers: those kgate rewrites completely (fail closed). Anything not
// listed is left out of ApiVersions and refused if sent anyway.
import type { VersionFilter } from "../gateway/api-versions.ts";
import { apiSpec } from "../protocol/registry.ts";

const ALL = [0, Infinity] as const;

/** apiKey → the versions offered inside a vcluster (further clamped to codec and broker). */
const OFFERED: ReadonlyMap<number, readonly [number, number]> = new Map<number, readonly [number, number]>([
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
