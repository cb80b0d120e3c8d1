// Request fields that say which broker (replica) is asking. A tenant is always a consumer: a
// follower's fetch reads past the high watermark, moves the leader's view of its replicas and
// skips the consumer's checks, so inside a vcluster these fields are forced to the consumer's
// values. Only a value that differs counts as a change, so the common request still goes out as
// the bytes that arrived (invariant 3).
import { ApiKey, type RequestOf } from "../protocol/messages/api-keys.ts";
import type { FetchRequest } from "../protocol/messages/fetch-request.ts";

/** The replica id of an ordinary consumer (Kafka's CONSUMER_REPLICA_ID). */
export const CONSUMER_REPLICA_ID = -1;
const NO_REPLICA_EPOCH = -1n;

/** OffsetForLeaderEpoch has carried a replica id since v3 (the codec reads -2 before). */
const OFFSET_FOR_LEADER_EPOCH_REPLICA_ID_FROM = 3;

type Guard = (body: Record<string, unknown>, version: number) => number;

/**
 * A guard written against one API's generated request type. The one cast: the exchange hands
 * `forceConsumerReplica` a body it decoded with the codec of the key the guard is filed under.
 */
function guard<K extends ApiKey>(_apiKey: K, force: (body: RequestOf<K>, version: number) => number): Guard {
  return force as unknown as Guard;
}

const GUARDS: ReadonlyMap<number, Guard> = new Map([
  [ApiKey.Fetch, guard(ApiKey.Fetch, (body) => forceReplicaId(body) + forceReplicaState(body))],
  [ApiKey.ListOffsets, guard(ApiKey.ListOffsets, (body) => forceReplicaId(body))],
  [ApiKey.OffsetForLeaderEpoch, guard(ApiKey.OffsetForLeaderEpoch, (body, version) =>
    version >= OFFSET_FOR_LEADER_EPOCH_REPLICA_ID_FROM ? forceReplicaId(body) : 0)],
]);

/** Forces replica fields in a decoded request; returns how many values it changed. */
export function forceConsumerReplica(apiKey: number, version: number, body: Record<string, unknown>): number {
  return GUARDS.get(apiKey)?.(body, version) ?? 0;
}

function forceReplicaId(body: { replicaId: number }): number {
  // Fetch v15+ has no top-level replica id: the codec reads it as -1 (a body built by hand may
  // leave it out, hence undefined too).
  if (body.replicaId === CONSUMER_REPLICA_ID || body.replicaId === undefined) return 0;
  body.replicaId = CONSUMER_REPLICA_ID;
  return 1;
}

/** Fetch v15+: the tagged ReplicaState; a consumer leaves it out (its defaults are -1, -1). */
function forceReplicaState(body: FetchRequest): number {
  const state = body.replicaState;
  if (state === undefined) return 0;
  if (state.replicaId === CONSUMER_REPLICA_ID && state.replicaEpoch === NO_REPLICA_EPOCH) return 0;
  body.replicaState = undefined;
  return 1;
}
