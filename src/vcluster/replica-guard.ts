// Request fields that say which broker (replica) is asking. A tenant is always a consumer: a
// follower's fetch reads past the high watermark, moves the leader's view of its replicas and
// skips the consumer's checks, so inside a vcluster these fields are forced to the consumer's
// values. Only a value that differs counts as a change, so the common request still goes out as
// the bytes that arrived (invariant 3).
import { ApiKey } from "../protocol/messages/api-keys.ts";

type Obj = Record<string, unknown>;

/** The replica id of an ordinary consumer (Kafka's CONSUMER_REPLICA_ID). */
export const CONSUMER_REPLICA_ID = -1;
const NO_REPLICA_EPOCH = -1n;

const FETCH = ApiKey.Fetch;
const LIST_OFFSETS = ApiKey.ListOffsets;
const OFFSET_FOR_LEADER_EPOCH = ApiKey.OffsetForLeaderEpoch;
/** OffsetForLeaderEpoch has carried a replica id since v3. */
const OFFSET_FOR_LEADER_EPOCH_REPLICA_ID_FROM = 3;

/** Forces replica fields in a decoded request; returns how many values it changed. */
export function forceConsumerReplica(apiKey: number, version: number, body: Obj): number {
  switch (apiKey) {
    case FETCH:
      return forceReplicaId(body) + forceReplicaState(body);
    case LIST_OFFSETS:
      return forceReplicaId(body);
    case OFFSET_FOR_LEADER_EPOCH:
      return version >= OFFSET_FOR_LEADER_EPOCH_REPLICA_ID_FROM ? forceReplicaId(body) : 0;
    default:
      return 0;
  }
}

function forceReplicaId(body: Obj): number {
  // Fetch v15+ has no top-level replica id (the codec reads it as -1).
  if (body.replicaId === CONSUMER_REPLICA_ID || body.replicaId === undefined) return 0;
  body.replicaId = CONSUMER_REPLICA_ID;
  return 1;
}

/** Fetch v15+: the tagged ReplicaState; a consumer leaves it out (its defaults are -1, -1). */
function forceReplicaState(body: Obj): number {
  const state = body.replicaState as { replicaId: number; replicaEpoch: bigint } | undefined;
  if (state === undefined) return 0;
  if (state.replicaId === CONSUMER_REPLICA_ID && state.replicaEpoch === NO_REPLICA_EPOCH) return 0;
  body.replicaState = undefined;
  return 1;
}
