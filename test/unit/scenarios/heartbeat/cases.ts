// Heartbeat: the group prefixed.
import { ApiKey } from "../../../../src/protocol/messages/api-keys.ts";
import { request, response, scenario } from "../../../support/scenario.ts";

export default [
  scenario({
    name: "group prefixed",
    apiKey: ApiKey.Heartbeat,
    versions: [0, 4],
    request: request(ApiKey.Heartbeat, { groupId: "g", generationId: 1, memberId: "m-1" }),
    broker: { groupId: "alice.g", memberId: "m-1" },
    response: response(ApiKey.Heartbeat, { errorCode: 0 }),
    client: { errorCode: 0 },
  }),
];
