// DeleteTopics: names prefixed (v1-5), by name or id (v6+); bob's id answered by kgate.
import { ApiKey } from "../../../../src/protocol/messages/api-keys.ts";
import { ErrorCode } from "../../../../src/protocol/error-codes.ts";
import { ZERO_UUID } from "../../../../src/protocol/messages/constants.ts";
import { ALICE_ORDERS_ID, BOB_SECRET_ID, request, response, scenario } from "../../../support/scenario.ts";

export default [
  scenario({
    name: "names (v1-5) prefixed, results stripped",
    apiKey: ApiKey.DeleteTopics,
    versions: [1, 5],
    request: request(ApiKey.DeleteTopics, { topicNames: ["orders"], timeoutMs: 1000 }),
    broker: { topicNames: ["alice.orders"] },
    response: response(ApiKey.DeleteTopics, { responses: [{ name: "alice.orders", topicId: ZERO_UUID, errorCode: 0, errorMessage: null }] }),
    client: { responses: [{ name: "orders", errorCode: 0 }] },
  }),
  scenario({
    name: "v6: by name prefixed, alice's id kept, bob's id answered UNKNOWN_TOPIC_ID without reaching the broker",
    apiKey: ApiKey.DeleteTopics,
    versions: [6],
    request: request(ApiKey.DeleteTopics, {
      topics: [{ name: "orders", topicId: ZERO_UUID }, { name: null, topicId: ALICE_ORDERS_ID }, { name: null, topicId: BOB_SECRET_ID }],
      timeoutMs: 1000,
    }),
    broker: { topics: [{ name: "alice.orders", topicId: ZERO_UUID }, { name: null, topicId: ALICE_ORDERS_ID }] },
    response: response(ApiKey.DeleteTopics, {
      responses: [
        { name: "alice.orders", topicId: ALICE_ORDERS_ID, errorCode: 0, errorMessage: null },
        { name: "alice.orders", topicId: ALICE_ORDERS_ID, errorCode: 0, errorMessage: null },
      ],
    }),
    client: {
      responses: [
        { name: "orders", errorCode: 0 },
        { name: "orders", errorCode: 0 },
        { name: null, topicId: BOB_SECRET_ID, errorCode: ErrorCode.UNKNOWN_TOPIC_ID },
      ],
    },
  }),
];
