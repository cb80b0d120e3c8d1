// AddOffsetsToTxn: transactional id and group prefixed.
import { ApiKey } from "../../../../src/protocol/messages/api-keys.ts";
import { request, response, scenario } from "../../../support/scenario.ts";

export default [
  scenario({
    name: "prefixed",
    apiKey: ApiKey.AddOffsetsToTxn,
    versions: [0, 4],
    request: request(ApiKey.AddOffsetsToTxn, { transactionalId: "tx", producerId: 1n, producerEpoch: 0, groupId: "g" }),
    broker: { transactionalId: "alice.tx", groupId: "alice.g" },
    response: response(ApiKey.AddOffsetsToTxn, { errorCode: 0 }),
    client: { errorCode: 0 },
  }),
];
