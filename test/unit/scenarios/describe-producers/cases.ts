// DescribeProducers: names prefixed; answers stripped and filtered.
import { ApiKey } from "../../../../src/protocol/messages/api-keys.ts";
import { request, response, scenario } from "../../../support/scenario.ts";

const partition = { partitionIndex: 0, errorCode: 0, errorMessage: null, activeProducers: [] };

export default [
  scenario({
    name: "prefixed in, stripped out",
    apiKey: ApiKey.DescribeProducers,
    versions: [0],
    request: request(ApiKey.DescribeProducers, { topics: [{ name: "orders", partitionIndexes: [0] }] }),
    broker: { topics: [{ name: "alice.orders" }] },
    response: response(ApiKey.DescribeProducers, {
      topics: [{ name: "alice.orders", partitions: [partition] }, { name: "bob.secret", partitions: [partition] }],
    }),
    client: { topics: [{ name: "orders" }] },
  }),
];
