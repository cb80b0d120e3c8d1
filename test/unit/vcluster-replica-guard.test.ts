// Replica fields in a tenant's Fetch, ListOffsets and OffsetForLeaderEpoch are forced to the
// consumer's values, and a request that already has them counts as unchanged (raw bytes go on).
import { describe, expect, test } from "bun:test";
import { decodeRequest, encodeRequest } from "../../src/protocol/codec.ts";
import { defaultFetchRequest } from "../../src/protocol/messages/fetch-request.ts";
import { CONSUMER_REPLICA_ID, forceConsumerReplica } from "../../src/vcluster/replica-guard.ts";
import { concatBytes } from "../support/bytes.ts";

type Obj = Record<string, unknown>;
const FETCH = 1;
const LIST_OFFSETS = 2;
const OFFSET_FOR_LEADER_EPOCH = 23;
const METADATA = 3;

describe("replica ids forced to the consumer's", () => {
  test("Fetch up to v14: a follower's replica id becomes -1", () => {
    for (const replicaId of [0, 1, 7, -2]) {
      const body: Obj = { ...defaultFetchRequest(), replicaId };
      expect(forceConsumerReplica(FETCH, 12, body)).toBe(1);
      expect(body.replicaId).toBe(CONSUMER_REPLICA_ID);
    }
    const consumer: Obj = { ...defaultFetchRequest() };
    expect(forceConsumerReplica(FETCH, 12, consumer)).toBe(0);
  });

  test("Fetch v15+: a ReplicaState naming a follower is removed; on the wire it is gone", () => {
    const body: Obj = { ...defaultFetchRequest(), replicaState: { replicaId: 1, replicaEpoch: 5n } };
    expect(forceConsumerReplica(FETCH, 15, body)).toBe(1);
    const frame = concatBytes(encodeRequest({ apiKey: FETCH, apiVersion: 15, correlationId: 1, clientId: "c" }, body));
    const back = decodeRequest<Obj>(frame).body;
    expect(back.replicaState).toBeUndefined();
    expect(back.replicaId).toBe(CONSUMER_REPLICA_ID);
    // A consumer's explicit defaults are left alone (no re-encoding for them).
    const defaults: Obj = { ...defaultFetchRequest(), replicaState: { replicaId: -1, replicaEpoch: -1n } };
    expect(forceConsumerReplica(FETCH, 15, defaults)).toBe(0);
    const epochOnly: Obj = { ...defaultFetchRequest(), replicaState: { replicaId: -1, replicaEpoch: 3n } };
    expect(forceConsumerReplica(FETCH, 17, epochOnly)).toBe(1);
  });

  test("ListOffsets and OffsetForLeaderEpoch (v3+)", () => {
    const listOffsets: Obj = { replicaId: 1 };
    expect(forceConsumerReplica(LIST_OFFSETS, 9, listOffsets)).toBe(1);
    expect(listOffsets.replicaId).toBe(-1);
    expect(forceConsumerReplica(LIST_OFFSETS, 9, { replicaId: -1 })).toBe(0);
    const epochs: Obj = { replicaId: -2 };
    expect(forceConsumerReplica(OFFSET_FOR_LEADER_EPOCH, 4, epochs)).toBe(1);
    expect(epochs.replicaId).toBe(-1);
    // Before v3 the field does not exist (the codec fills in its default).
    expect(forceConsumerReplica(OFFSET_FOR_LEADER_EPOCH, 2, { replicaId: -2 })).toBe(0);
  });

  test("other APIs are untouched", () => {
    const body: Obj = { replicaId: 3 };
    expect(forceConsumerReplica(METADATA, 12, body)).toBe(0);
    expect(body.replicaId).toBe(3);
  });
});
