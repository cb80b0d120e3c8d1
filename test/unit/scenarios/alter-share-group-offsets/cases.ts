// AlterShareGroupOffsets: group and topic names prefixed; the answer's topics stripped.
import { ApiKey } from "../../../../src/protocol/messages/api-keys.ts";
import { ALICE_ORDERS_ID, request, response, scenario } from "../../../support/scenario.ts";

export default [
  scenario({
    name: "prefixed in, stripped out",
    apiKey: ApiKey.AlterShareGroupOffsets,
    versions: [0],
    request: request(ApiKey.AlterShareGroupOffsets, {
      groupId: "workers",
      topics: [{ topicName: "orders", partitions: [{ partitionIndex: 0, startOffset: 0n }] }],
    }),
    broker: { groupId: "alice.workers", topics: [{ topicName: "alice.orders" }] },
    response: response(ApiKey.AlterShareGroupOffsets, {
      responses: [{ topicName: "alice.orders", topicId: ALICE_ORDERS_ID, partitions: [{ partitionIndex: 0, errorCode: 0, errorMessage: null }] }],
    }),
    client: { responses: [{ topicName: "orders", topicId: ALICE_ORDERS_ID }] },
  }),
];
