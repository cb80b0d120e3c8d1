// OffsetCommit: group and topic names prefixed, responses stripped.
import { ApiKey } from "../../../../src/protocol/messages/api-keys.ts";
import { ZERO_UUID } from "../../../../src/protocol/messages/constants.ts";
import { ALICE_ORDERS_ID, request, response, scenario } from "../../../support/scenario.ts";

const partition = { partitionIndex: 0, committedOffset: 5n, committedLeaderEpoch: -1, committedMetadata: null };

export default [
  scenario({
    name: "group and topic prefixed; the answer stripped",
    apiKey: ApiKey.OffsetCommit,
    versions: [2, 8, 9],
    request: request(ApiKey.OffsetCommit, {
      groupId: "g",
      generationIdOrMemberEpoch: -1,
      topics: [{ name: "orders", topicId: ZERO_UUID, partitions: [partition] }],
    }),
    broker: { groupId: "alice.g", topics: [{ name: "alice.orders" }] },
    response: response(ApiKey.OffsetCommit, { topics: [{ name: "alice.orders", topicId: ZERO_UUID, partitions: [{ partitionIndex: 0, errorCode: 0 }] }] }),
    client: { topics: [{ name: "orders" }] },
  }),
  scenario({
    name: "by topic id (v10): alice's id goes as it is",
    apiKey: ApiKey.OffsetCommit,
    versions: [10],
    request: request(ApiKey.OffsetCommit, {
      groupId: "g",
      generationIdOrMemberEpoch: -1,
      topics: [{ name: "", topicId: ALICE_ORDERS_ID, partitions: [partition] }],
    }),
    broker: { groupId: "alice.g", topics: [{ topicId: ALICE_ORDERS_ID }] },
    response: response(ApiKey.OffsetCommit, { topics: [{ name: "", topicId: ALICE_ORDERS_ID, partitions: [{ partitionIndex: 0, errorCode: 0 }] }] }),
    client: { topics: [{ topicId: ALICE_ORDERS_ID }] },
  }),
];
