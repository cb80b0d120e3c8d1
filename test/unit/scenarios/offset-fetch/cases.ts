// OffsetFetch: one group (v1-7) or many (v8+), names prefixed; answers stripped.
import { ApiKey } from "../../../../src/protocol/messages/api-keys.ts";
import { ZERO_UUID } from "../../../../src/protocol/messages/constants.ts";
import { request, response, scenario } from "../../../support/scenario.ts";

const committed = { partitionIndex: 0, committedOffset: 5n, committedLeaderEpoch: -1, metadata: null, errorCode: 0 };

export default [
  scenario({
    name: "one group (v1-7)",
    apiKey: ApiKey.OffsetFetch,
    versions: [1, 7],
    request: request(ApiKey.OffsetFetch, { groupId: "g", topics: [{ name: "orders", partitionIndexes: [0] }] }),
    broker: { groupId: "alice.g", topics: [{ name: "alice.orders" }] },
    response: response(ApiKey.OffsetFetch, { topics: [{ name: "alice.orders", partitions: [committed] }] }),
    client: { topics: [{ name: "orders", partitions: [{ committedOffset: 5n }] }] },
  }),
  scenario({
    name: "groups (v8+)",
    apiKey: ApiKey.OffsetFetch,
    versions: [8, 10],
    request: request(ApiKey.OffsetFetch, {
      groups: [{ groupId: "g", memberId: null, memberEpoch: -1, topics: [{ name: "orders", topicId: ZERO_UUID, partitionIndexes: [0] }] }],
    }),
    broker: { groups: [{ groupId: "alice.g" }] },
    response: response(ApiKey.OffsetFetch, {
      groups: [{ groupId: "alice.g", errorCode: 0, topics: [{ name: "alice.orders", topicId: ZERO_UUID, partitions: [committed] }] }],
    }),
    client: { groups: [{ groupId: "g" }] },
  }),
];
