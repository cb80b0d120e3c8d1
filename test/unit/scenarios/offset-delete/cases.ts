// OffsetDelete: group and topics prefixed; answers stripped.
import { ApiKey } from "../../../../src/protocol/messages/api-keys.ts";
import { request, response, scenario } from "../../../support/scenario.ts";

export default [
  scenario({
    name: "prefixed in, stripped out",
    apiKey: ApiKey.OffsetDelete,
    versions: [0],
    request: request(ApiKey.OffsetDelete, { groupId: "g", topics: [{ name: "orders", partitions: [{ partitionIndex: 0 }] }] }),
    broker: { groupId: "alice.g", topics: [{ name: "alice.orders" }] },
    response: response(ApiKey.OffsetDelete, { topics: [{ name: "alice.orders", partitions: [{ partitionIndex: 0, errorCode: 0 }] }] }),
    client: { topics: [{ name: "orders" }] },
  }),
];
