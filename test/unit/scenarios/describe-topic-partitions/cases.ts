// DescribeTopicPartitions: names prefixed; answers stripped and filtered; a cursor outside
// alice's topics is moved to her first topic or ended.
import { ApiKey } from "../../../../src/protocol/messages/api-keys.ts";
import { defaultDescribeTopicPartitionsResponseTopic } from "../../../../src/protocol/messages/describe-topic-partitions-response.ts";
import { ALICE_ORDERS_ID, BOB_SECRET_ID, request, response, scenario } from "../../../support/scenario.ts";

export default [
  scenario({
    name: "prefixed in; alice's topics out; a cursor past her topics ends",
    apiKey: ApiKey.DescribeTopicPartitions,
    versions: [0],
    request: request(ApiKey.DescribeTopicPartitions, { topics: [{ name: "orders" }], responsePartitionLimit: 100 }),
    broker: { topics: [{ name: "alice.orders" }] },
    response: response(ApiKey.DescribeTopicPartitions, {
      topics: [
        { ...defaultDescribeTopicPartitionsResponseTopic(), name: "alice.orders", topicId: ALICE_ORDERS_ID },
        { ...defaultDescribeTopicPartitionsResponseTopic(), name: "bob.secret", topicId: BOB_SECRET_ID },
      ],
      nextCursor: { topicName: "bob.secret", partitionIndex: 0 },
    }),
    client: { topics: [{ name: "orders", topicId: ALICE_ORDERS_ID }], nextCursor: null },
  }),
  scenario({
    name: "a cursor is prefixed",
    apiKey: ApiKey.DescribeTopicPartitions,
    versions: [0],
    request: request(ApiKey.DescribeTopicPartitions, { topics: [], responsePartitionLimit: 100, cursor: { topicName: "orders", partitionIndex: 3 } }),
    broker: { cursor: { topicName: "alice.orders", partitionIndex: 3 } },
  }),
];
