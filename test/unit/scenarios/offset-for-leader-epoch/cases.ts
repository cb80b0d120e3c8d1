// OffsetForLeaderEpoch: names prefixed; replica id (v3+) forced to a consumer's.
import { ApiKey } from "../../../../src/protocol/messages/api-keys.ts";
import { request, response, scenario } from "../../../support/scenario.ts";

export default [
  scenario({
    name: "prefixed; replica id (v3+) forced to a consumer's",
    apiKey: ApiKey.OffsetForLeaderEpoch,
    versions: [3, 4],
    request: request(ApiKey.OffsetForLeaderEpoch, {
      replicaId: 1,
      topics: [{ topic: "orders", partitions: [{ partition: 0, currentLeaderEpoch: 0, leaderEpoch: 0 }] }],
    }),
    broker: { replicaId: -1, topics: [{ topic: "alice.orders" }] },
    response: response(ApiKey.OffsetForLeaderEpoch, {
      topics: [{ topic: "alice.orders", partitions: [{ errorCode: 0, partition: 0, leaderEpoch: 0, endOffset: 9n }] }],
    }),
    client: { topics: [{ topic: "orders" }] },
  }),
  scenario({
    name: "prefixed (v2 has no replica id)",
    apiKey: ApiKey.OffsetForLeaderEpoch,
    versions: [2],
    request: request(ApiKey.OffsetForLeaderEpoch, { topics: [{ topic: "orders", partitions: [{ partition: 0, currentLeaderEpoch: 0, leaderEpoch: 0 }] }] }),
    broker: { topics: [{ topic: "alice.orders" }] },
  }),
];
