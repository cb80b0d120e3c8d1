// Which isolation test file attacks which offered API key. Each file checks, when it ends, that
// it attacked every key listed for it that the backing broker serves; a unit test
// (test/unit/isolation-coverage.test.ts) checks that the lists together name every API key
// offered inside a virtual cluster, each once. So a new offered API needs an isolation test.
import { ApiKey } from "../../../src/protocol/messages/api-keys.ts";

export const ISOLATION_COVERAGE = {
  identity: [ApiKey.ApiVersions, ApiKey.SaslHandshake, ApiKey.SaslAuthenticate, ApiKey.GetTelemetrySubscriptions, ApiKey.PushTelemetry],
  "configs-acls": [
    ApiKey.DescribeConfigs,
    ApiKey.AlterConfigs,
    ApiKey.IncrementalAlterConfigs,
    ApiKey.DescribeAcls,
    ApiKey.CreateAcls,
    ApiKey.DeleteAcls,
  ],
  metadata: [ApiKey.Metadata, ApiKey.DescribeTopicPartitions, ApiKey.DescribeCluster],
  topics: [
    ApiKey.CreateTopics,
    ApiKey.DeleteTopics,
    ApiKey.Produce,
    ApiKey.Fetch,
    ApiKey.ListOffsets,
    ApiKey.OffsetForLeaderEpoch,
    ApiKey.DeleteRecords,
    ApiKey.CreatePartitions,
    ApiKey.DescribeProducers,
    ApiKey.DescribeLogDirs,
    ApiKey.ListPartitionReassignments,
  ],
  groups: [
    ApiKey.FindCoordinator,
    ApiKey.ListGroups,
    ApiKey.DescribeGroups,
    ApiKey.OffsetFetch,
    ApiKey.OffsetCommit,
    ApiKey.OffsetDelete,
    ApiKey.DeleteGroups,
    ApiKey.Heartbeat,
    ApiKey.SyncGroup,
    ApiKey.LeaveGroup,
    ApiKey.JoinGroup,
    ApiKey.ConsumerGroupHeartbeat,
    ApiKey.ConsumerGroupDescribe,
  ],
  "share-streams": [
    ApiKey.ShareGroupHeartbeat,
    ApiKey.ShareGroupDescribe,
    ApiKey.ShareFetch,
    ApiKey.ShareAcknowledge,
    ApiKey.DescribeShareGroupOffsets,
    ApiKey.AlterShareGroupOffsets,
    ApiKey.DeleteShareGroupOffsets,
    ApiKey.StreamsGroupHeartbeat,
    ApiKey.StreamsGroupDescribe,
    ApiKey.StreamsGroupTopologyDescriptionUpdate,
  ],
  transactions: [
    ApiKey.DescribeTransactions,
    ApiKey.ListTransactions,
    ApiKey.AddPartitionsToTxn,
    ApiKey.AddOffsetsToTxn,
    ApiKey.TxnOffsetCommit,
    ApiKey.EndTxn,
    ApiKey.InitProducerId,
  ],
} as const satisfies Record<string, readonly ApiKey[]>;

export type IsolationConcern = keyof typeof ISOLATION_COVERAGE;
