// Which responses carry no error-message field at all, so the scrub of `…errorMessage` fields
// (backing-leaks.ts scrubErrorMessages, a walk over the whole decoded body) can be skipped for
// them: a Fetch or Metadata response has none at any version. Fail closed: an API not listed
// here is always scrubbed. test/unit/vcluster/stages/error-message-free.test.ts checks each
// entry against the vendored Kafka specs, so a new version that adds a message field fails it.
import { ApiKey } from "../../protocol/messages/api-keys.ts";

const NONE = Infinity;

/** API key → the first response version with an error-message field anywhere (none before it). */
export const FIRST_ERROR_MESSAGE_VERSION: ReadonlyMap<number, number> = new Map([
  [ApiKey.Produce, 8],
  [ApiKey.Fetch, NONE],
  [ApiKey.ListOffsets, NONE],
  [ApiKey.Metadata, NONE],
  [ApiKey.OffsetCommit, NONE],
  [ApiKey.OffsetFetch, NONE],
  [ApiKey.FindCoordinator, 1],
  [ApiKey.JoinGroup, NONE],
  [ApiKey.Heartbeat, NONE],
  [ApiKey.LeaveGroup, NONE],
  [ApiKey.SyncGroup, NONE],
  [ApiKey.DescribeGroups, 6],
  [ApiKey.ListGroups, NONE],
  [ApiKey.SaslHandshake, NONE],
  [ApiKey.ApiVersions, NONE],
  [ApiKey.DeleteTopics, 5],
  [ApiKey.DeleteRecords, NONE],
  [ApiKey.InitProducerId, NONE],
  [ApiKey.OffsetForLeaderEpoch, NONE],
  [ApiKey.AddPartitionsToTxn, NONE],
  [ApiKey.AddOffsetsToTxn, NONE],
  [ApiKey.EndTxn, NONE],
  [ApiKey.TxnOffsetCommit, NONE],
  [ApiKey.DescribeLogDirs, NONE],
  [ApiKey.DeleteGroups, 3],
  [ApiKey.OffsetDelete, NONE],
  [ApiKey.DescribeTransactions, NONE],
  [ApiKey.ListTransactions, NONE],
  [ApiKey.GetTelemetrySubscriptions, NONE],
  [ApiKey.PushTelemetry, NONE],
  [ApiKey.DescribeTopicPartitions, NONE],
]);

/** Whether a response of `apiKey` at `version` may hold an error message (decided once, in the plan). */
export function responseHasErrorMessages(apiKey: number, version: number): boolean {
  const first = FIRST_ERROR_MESSAGE_VERSION.get(apiKey);
  return first === undefined || version >= first;
}
