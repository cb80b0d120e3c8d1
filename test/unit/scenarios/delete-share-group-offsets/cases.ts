// DeleteShareGroupOffsets: group and topic names prefixed; the answer's topics stripped.
import { ApiKey } from "../../../../src/protocol/messages/api-keys.ts";
import { ALICE_ORDERS_ID, request, response, scenario } from "../../../support/scenario.ts";

export default [
  scenario({
    name: "prefixed in, stripped out",
    apiKey: ApiKey.DeleteShareGroupOffsets,
    versions: [0],
    request: request(ApiKey.DeleteShareGroupOffsets, { groupId: "workers", topics: [{ topicName: "orders" }] }),
    broker: { groupId: "alice.workers", topics: [{ topicName: "alice.orders" }] },
    response: response(ApiKey.DeleteShareGroupOffsets, {
      responses: [{ topicName: "alice.orders", topicId: ALICE_ORDERS_ID, errorCode: 0, errorMessage: null }],
    }),
    client: { responses: [{ topicName: "orders", topicId: ALICE_ORDERS_ID }] },
  }),
];
