// ConsumerGroupHeartbeat (KIP-848): group and subscribed names prefixed; a regex anchored inside
// alice's prefix; assignments come by topic id.
import { ApiKey } from "../../../../src/protocol/messages/api-keys.ts";
import { ALICE_ORDERS_ID, request, response, scenario } from "../../../support/scenario.ts";

export default [
  scenario({
    name: "group and topic names prefixed, assignment by id",
    apiKey: ApiKey.ConsumerGroupHeartbeat,
    versions: [0, 1],
    request: request(ApiKey.ConsumerGroupHeartbeat, { groupId: "g", memberEpoch: 0, rebalanceTimeoutMs: 1000, subscribedTopicNames: ["orders"] }),
    broker: { groupId: "alice.g", subscribedTopicNames: ["alice.orders"] },
    response: response(ApiKey.ConsumerGroupHeartbeat, {
      memberId: "m-1",
      memberEpoch: 1,
      assignment: { topicPartitions: [{ topicId: ALICE_ORDERS_ID, partitions: [0] }] },
    }),
    client: { memberId: "m-1", assignment: { topicPartitions: [{ topicId: ALICE_ORDERS_ID }] } },
  }),
  scenario({
    name: "a subscription regex is anchored inside alice's prefix",
    apiKey: ApiKey.ConsumerGroupHeartbeat,
    versions: [1],
    request: request(ApiKey.ConsumerGroupHeartbeat, { groupId: "g", memberEpoch: 0, rebalanceTimeoutMs: 1000, subscribedTopicRegex: "ord.*" }),
    broker: { groupId: "alice.g", subscribedTopicRegex: "^alice\\.(?:ord.*)$" },
  }),
];
