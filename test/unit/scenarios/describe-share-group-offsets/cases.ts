// DescribeShareGroupOffsets: group and topic names prefixed; answers stripped, foreign groups dropped.
import { ApiKey } from "../../../../src/protocol/messages/api-keys.ts";
import { defaultDescribeShareGroupOffsetsResponsePartition } from "../../../../src/protocol/messages/describe-share-group-offsets-response.ts";
import { ALICE_ORDERS_ID, request, response, scenario } from "../../../support/scenario.ts";

export default [
  scenario({
    name: "prefixed in; stripped and filtered out",
    apiKey: ApiKey.DescribeShareGroupOffsets,
    versions: [0, 1],
    request: request(ApiKey.DescribeShareGroupOffsets, { groups: [{ groupId: "workers", topics: [{ topicName: "orders", partitions: [0] }] }] }),
    broker: { groups: [{ groupId: "alice.workers", topics: [{ topicName: "alice.orders", partitions: [0] }] }] },
    response: response(ApiKey.DescribeShareGroupOffsets, {
      groups: [
        {
          groupId: "alice.workers",
          errorCode: 0,
          errorMessage: null,
          topics: [{
            topicName: "alice.orders",
            topicId: ALICE_ORDERS_ID,
            partitions: [{ ...defaultDescribeShareGroupOffsetsResponsePartition(), startOffset: 5n }],
          }],
        },
        { groupId: "bob.workers", errorCode: 0, errorMessage: null, topics: [] },
      ],
    }),
    client: { groups: [{ groupId: "workers", topics: [{ topicName: "orders", topicId: ALICE_ORDERS_ID, partitions: [{ startOffset: 5n }] }] }] },
  }),
];
