// ConsumerGroupDescribe: group ids prefixed; foreign groups dropped; members' topics stripped.
import { ApiKey } from "../../../../src/protocol/messages/api-keys.ts";
import { defaultDescribedGroup, defaultMember } from "../../../../src/protocol/messages/consumer-group-describe-response.ts";
import { ALICE_ORDERS_ID, request, response, scenario } from "../../../support/scenario.ts";

const assignment = { topicPartitions: [{ topicId: ALICE_ORDERS_ID, topicName: "alice.orders", partitions: [0] }] };

export default [
  scenario({
    name: "prefixed in; stripped and filtered out",
    apiKey: ApiKey.ConsumerGroupDescribe,
    versions: [0, 1],
    request: request(ApiKey.ConsumerGroupDescribe, { groupIds: ["g"] }),
    broker: { groupIds: ["alice.g"] },
    response: response(ApiKey.ConsumerGroupDescribe, {
      groups: [
        {
          ...defaultDescribedGroup(),
          groupId: "alice.g",
          groupState: "Stable",
          members: [{ ...defaultMember(), memberId: "m-1", subscribedTopicNames: ["alice.orders"], assignment, targetAssignment: assignment }],
        },
        { ...defaultDescribedGroup(), groupId: "bob.g", groupState: "Stable" },
      ],
    }),
    client: {
      groups: [{ groupId: "g", members: [{ memberId: "m-1", subscribedTopicNames: ["orders"], assignment: { topicPartitions: [{ topicName: "orders" }] } }] }],
    },
  }),
];
