// ListGroups: every group of the backing cluster comes back; alice sees hers, unprefixed.
import { ApiKey } from "../../../../src/protocol/messages/api-keys.ts";
import { request, response, scenario } from "../../../support/scenario.ts";

const listed = (groupId: string) => ({ groupId, protocolType: "consumer", groupState: "Stable", groupType: "classic" });

export default [
  scenario({
    name: "only alice's groups, stripped",
    apiKey: ApiKey.ListGroups,
    versions: [0, 5],
    request: request(ApiKey.ListGroups, {}),
    response: response(ApiKey.ListGroups, { groups: [listed("alice.g"), listed("bob.g"), listed("unprefixed")] }),
    client: { groups: [{ groupId: "g" }] },
  }),
];
