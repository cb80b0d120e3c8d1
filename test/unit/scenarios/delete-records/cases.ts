// DeleteRecords: names prefixed, results stripped, bob's dropped.
import { ApiKey } from "../../../../src/protocol/messages/api-keys.ts";
import { request, response, scenario } from "../../../support/scenario.ts";

const result = { partitionIndex: 0, lowWatermark: 3n, errorCode: 0 };

export default [
  scenario({
    name: "prefixed; only alice's results",
    apiKey: ApiKey.DeleteRecords,
    versions: [0, 2],
    request: request(ApiKey.DeleteRecords, { topics: [{ name: "orders", partitions: [{ partitionIndex: 0, offset: 3n }] }], timeoutMs: 1000 }),
    broker: { topics: [{ name: "alice.orders" }] },
    response: response(ApiKey.DeleteRecords, { topics: [{ name: "alice.orders", partitions: [result] }, { name: "bob.secret", partitions: [result] }] }),
    client: { topics: [{ name: "orders", partitions: [{ lowWatermark: 3n }] }] },
  }),
];
