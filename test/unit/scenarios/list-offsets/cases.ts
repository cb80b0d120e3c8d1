// ListOffsets: names prefixed, replica id forced to a consumer's, responses stripped.
import { ApiKey } from "../../../../src/protocol/messages/api-keys.ts";
import { request, response, scenario } from "../../../support/scenario.ts";

const partition = { partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1n };
const result = { partitionIndex: 0, errorCode: 0, timestamp: -1n, offset: 10n, leaderEpoch: 0 };

export default [
  scenario({
    name: "prefixed and forced to replica id -1; bob's topic dropped from the answer",
    apiKey: ApiKey.ListOffsets,
    versions: [1, 7, 11],
    request: request(ApiKey.ListOffsets, { replicaId: 2, topics: [{ name: "orders", partitions: [partition] }] }),
    broker: { replicaId: -1, topics: [{ name: "alice.orders", partitions: [partition] }] },
    response: response(ApiKey.ListOffsets, {
      topics: [{ name: "alice.orders", partitions: [result] }, { name: "bob.secret", partitions: [result] }],
    }),
    client: { topics: [{ name: "orders", partitions: [{ offset: 10n }] }] },
  }),
];
