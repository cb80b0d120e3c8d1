// CreateTopics: names prefixed; a name too long once prefixed is refused by kgate per topic;
// answers stripped.
import { ApiKey } from "../../../../src/protocol/messages/api-keys.ts";
import { ErrorCode } from "../../../../src/protocol/error-codes.ts";
import { ZERO_UUID } from "../../../../src/protocol/messages/constants.ts";
import { defaultCreatableTopicResult } from "../../../../src/protocol/messages/create-topics-response.ts";
import { ALICE_ORDERS_ID, request, response, scenario } from "../../../support/scenario.ts";

const topic = (name: string) => ({ name, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] });

export default [
  scenario({
    name: "prefixed; the result stripped",
    apiKey: ApiKey.CreateTopics,
    versions: [2, 5, 7],
    request: request(ApiKey.CreateTopics, { topics: [topic("orders")], timeoutMs: 1000 }),
    broker: { topics: [{ name: "alice.orders", numPartitions: 1 }] },
    response: response(ApiKey.CreateTopics, { topics: [{ ...defaultCreatableTopicResult(), name: "alice.orders", topicId: ALICE_ORDERS_ID }] }),
    client: { topics: [{ name: "orders", errorCode: 0 }] },
  }),
  scenario({
    name: "a name that is too long with the prefix: refused by kgate, the rest created",
    apiKey: ApiKey.CreateTopics,
    versions: [7],
    request: request(ApiKey.CreateTopics, { topics: [topic("x".repeat(249)), topic("ok")], timeoutMs: 1000 }),
    broker: { topics: [{ name: "alice.ok" }] },
    response: response(ApiKey.CreateTopics, { topics: [{ ...defaultCreatableTopicResult(), name: "alice.ok", topicId: ZERO_UUID }] }),
    client: { topics: [{ name: "ok", errorCode: 0 }, { name: "x".repeat(249), errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION }] },
  }),
];
