// InitProducerId: the transactional id prefixed (null for idempotence stays null).
import { ApiKey } from "../../../../src/protocol/messages/api-keys.ts";
import { request, response, scenario } from "../../../support/scenario.ts";

export default [
  scenario({
    name: "transactional id prefixed",
    apiKey: ApiKey.InitProducerId,
    versions: [0, 6],
    request: request(ApiKey.InitProducerId, { transactionalId: "tx", transactionTimeoutMs: 60_000 }),
    broker: { transactionalId: "alice.tx" },
    response: response(ApiKey.InitProducerId, { producerId: 1000n, producerEpoch: 0 }),
    client: { producerId: 1000n },
  }),
  scenario({
    name: "idempotent producer: null stays null",
    apiKey: ApiKey.InitProducerId,
    versions: [0, 6],
    request: request(ApiKey.InitProducerId, { transactionalId: null, transactionTimeoutMs: 60_000 }),
    broker: { transactionalId: null },
  }),
];
