// Request fields that say which broker (replica) is asking. A tenant is always a consumer: a
// follower's fetch reads past the high watermark, moves the leader's view of its replicas and
// skips the consumer's checks, so inside a vcluster these fields are forced to the consumer's
// values. Only a value that differs counts as a change, so the common request still goes out as
// the bytes that arrived (invariant 3).
import { ApiKey, type RequestOf } from "../protocol/messages/api-keys.ts";

/** The replica id of an ordinary consumer (Kafka's CONSUMER_REPLICA_ID). */
export const CONSUMER_REPLICA_ID = -1;
const NO_REPLICA_EPOCH = -1n;

const FETCH = ApiKey.Fetch;
const LIST_OFFSETS = ApiKey.ListOffsets;
const OFFSET_FOR_LEADER_EPOCH = ApiKey.OffsetForLeaderEpoch;
/** OffsetForLeaderEpoch has carried a replica id since v3. */
const OFFSET_FOR_LEADER_EPOCH_REPLICA_ID_FROM = 3;

/** Whether requests of this API and version carry replica fields (decided once, in the plan). */
export function hasReplicaFields(apiKey: number, version: number): boolean {
  return apiKey === FETCH || apiKey === LIST_OFFSETS || (apiKey === OFFSET_FOR_LEADER_EPOCH && version >= OFFSET_FOR_LEADER_EPOCH_REPLICA_ID_FROM);
}

/**
 * Forces replica fields in a decoded request of `apiKey` (the exchange hands it the decoded
 * message of that key); returns how many values it changed.
 */
export function forceConsumerReplica(apiKey: number, version: number, body: object): number {
  switch (apiKey) {
    case FETCH: {
      const fetch = body as RequestOf<typeof FETCH>;
      return forceReplicaId(fetch) + forceReplicaState(fetch);
    }
    case LIST_OFFSETS:
      return forceReplicaId(body as RequestOf<typeof LIST_OFFSETS>);
    case OFFSET_FOR_LEADER_EPOCH:
      return version >= OFFSET_FOR_LEADER_EPOCH_REPLICA_ID_FROM ? forceReplicaId(body as RequestOf<typeof OFFSET_FOR_LEADER_EPOCH>) : 0;
    default:
      return 0;
  }
}

function forceReplicaId(body: { replicaId: number }): number {
  // Fetch v15+ has no top-level replica id (the codec reads it as -1).
  if (body.replicaId === CONSUMER_REPLICA_ID || body.replicaId === undefined) return 0;
  body.replicaId = CONSUMER_REPLICA_ID;
  return 1;
}

/** Fetch v15+: the tagged ReplicaState; a consumer leaves it out (its defaults are -1, -1). */
function forceReplicaState(body: RequestOf<typeof FETCH>): number {
  const state = body.replicaState;
  if (state === undefined) return 0;
  if (state.replicaId === CONSUMER_REPLICA_ID && state.replicaEpoch === NO_REPLICA_EPOCH) return 0;
  body.replicaState = undefined;
  return 1;
}
