// ShareGroupDescribe: group ids prefixed; foreign groups dropped; members' topics stripped.
import { ApiKey } from "../../../../src/protocol/messages/api-keys.ts";
import { defaultDescribedGroup, defaultMember } from "../../../../src/protocol/messages/share-group-describe-response.ts";
import { ALICE_ORDERS_ID, request, response, scenario } from "../../../support/scenario.ts";

export default [
  scenario({
    name: "prefixed in; stripped and filtered out",
    apiKey: ApiKey.ShareGroupDescribe,
    versions: [1],
    request: request(ApiKey.ShareGroupDescribe, { groupIds: ["workers"] }),
    broker: { groupIds: ["alice.workers"] },
    response: response(ApiKey.ShareGroupDescribe, {
      groups: [
        {
          ...defaultDescribedGroup(),
          groupId: "alice.workers",
          groupState: "Stable",
          members: [{
            ...defaultMember(),
            memberId: "m-1",
            subscribedTopicNames: ["alice.orders"],
            assignment: { topicPartitions: [{ topicId: ALICE_ORDERS_ID, topicName: "alice.orders", partitions: [0] }] },
          }],
        },
        { ...defaultDescribedGroup(), groupId: "bob.workers", groupState: "Stable" },
      ],
    }),
    client: {
      groups: [{
        groupId: "workers",
        members: [{ memberId: "m-1", subscribedTopicNames: ["orders"], assignment: { topicPartitions: [{ topicName: "orders" }] } }],
      }],
    },
  }),
];
