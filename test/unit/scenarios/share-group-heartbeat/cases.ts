// ShareGroupHeartbeat (KIP-932): group and subscribed names prefixed; assignments come by topic id.
import { ApiKey } from "../../../../src/protocol/messages/api-keys.ts";
import { ALICE_ORDERS_ID, request, response, scenario } from "../../../support/scenario.ts";

export default [
  scenario({
    name: "group and topic names prefixed, assignment by id",
    apiKey: ApiKey.ShareGroupHeartbeat,
    versions: [1],
    request: request(ApiKey.ShareGroupHeartbeat, { groupId: "workers", memberId: "m-1", memberEpoch: 0, subscribedTopicNames: ["orders"] }),
    broker: { groupId: "alice.workers", subscribedTopicNames: ["alice.orders"] },
    response: response(ApiKey.ShareGroupHeartbeat, {
      memberId: "m-1",
      memberEpoch: 1,
      assignment: { topicPartitions: [{ topicId: ALICE_ORDERS_ID, partitions: [0] }] },
    }),
    client: { memberId: "m-1", assignment: { topicPartitions: [{ topicId: ALICE_ORDERS_ID, partitions: [0] }] } },
  }),
];
