// EndTxn: the transactional id prefixed.
import { ApiKey } from "../../../../src/protocol/messages/api-keys.ts";
import { request, response, scenario } from "../../../support/scenario.ts";

export default [
  scenario({
    name: "prefixed",
    apiKey: ApiKey.EndTxn,
    versions: [0, 5],
    request: request(ApiKey.EndTxn, { transactionalId: "tx", producerId: 1n, producerEpoch: 0, committed: true }),
    broker: { transactionalId: "alice.tx", committed: true },
    response: response(ApiKey.EndTxn, { errorCode: 0 }),
    client: { errorCode: 0 },
  }),
];
