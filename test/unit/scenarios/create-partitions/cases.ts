// CreatePartitions: names prefixed; answers stripped.
import { ApiKey } from "../../../../src/protocol/messages/api-keys.ts";
import { request, response, scenario } from "../../../support/scenario.ts";

export default [
  scenario({
    name: "prefixed in, stripped out",
    apiKey: ApiKey.CreatePartitions,
    versions: [0, 3],
    request: request(ApiKey.CreatePartitions, { topics: [{ name: "orders", count: 3, assignments: null }], timeoutMs: 1000 }),
    broker: { topics: [{ name: "alice.orders", count: 3 }] },
    response: response(ApiKey.CreatePartitions, { results: [{ name: "alice.orders", errorCode: 0, errorMessage: null }] }),
    client: { results: [{ name: "orders", errorCode: 0 }] },
  }),
];
