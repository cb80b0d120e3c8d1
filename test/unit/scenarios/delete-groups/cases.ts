// DeleteGroups: group ids prefixed; answers stripped.
import { ApiKey } from "../../../../src/protocol/messages/api-keys.ts";
import { request, response, scenario } from "../../../support/scenario.ts";

export default [
  scenario({
    name: "prefixed in, stripped out",
    apiKey: ApiKey.DeleteGroups,
    versions: [0, 3],
    request: request(ApiKey.DeleteGroups, { groupsNames: ["g"] }),
    broker: { groupsNames: ["alice.g"] },
    response: response(ApiKey.DeleteGroups, { results: [{ groupId: "alice.g", errorCode: 0, errorMessage: null }] }),
    client: { results: [{ groupId: "g", errorCode: 0 }] },
  }),
];
