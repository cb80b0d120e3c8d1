// ListPartitionReassignments: filtered to alice's topics.
import { ApiKey } from "../../../../src/protocol/messages/api-keys.ts";
import { request, response, scenario } from "../../../support/scenario.ts";

const ongoing = (name: string) => ({ name, partitions: [{ partitionIndex: 0, replicas: [1, 2], addingReplicas: [2], removingReplicas: [] }] });

export default [
  scenario({
    name: "all reassignments: only alice's",
    apiKey: ApiKey.ListPartitionReassignments,
    versions: [0],
    request: request(ApiKey.ListPartitionReassignments, { timeoutMs: 1000, topics: null }),
    response: response(ApiKey.ListPartitionReassignments, { topics: [ongoing("alice.orders"), ongoing("bob.secret")] }),
    client: { topics: [{ name: "orders" }] },
  }),
  scenario({
    name: "named topics are prefixed",
    apiKey: ApiKey.ListPartitionReassignments,
    versions: [0],
    request: request(ApiKey.ListPartitionReassignments, { timeoutMs: 1000, topics: [{ name: "orders", partitionIndexes: [0] }] }),
    broker: { topics: [{ name: "alice.orders" }] },
  }),
];
