// DescribeGroups: group ids prefixed; foreign groups dropped; member metadata stripped.
import { ApiKey } from "../../../../src/protocol/messages/api-keys.ts";
import { defaultDescribedGroup } from "../../../../src/protocol/messages/describe-groups-response.ts";
import { request, response, scenario } from "../../../support/scenario.ts";

export default [
  scenario({
    name: "groups prefixed; bob's group dropped from the answer",
    apiKey: ApiKey.DescribeGroups,
    versions: [0, 6],
    request: request(ApiKey.DescribeGroups, { groups: ["g"] }),
    broker: { groups: ["alice.g"] },
    response: response(ApiKey.DescribeGroups, {
      groups: [
        { ...defaultDescribedGroup(), groupId: "alice.g", groupState: "Empty", protocolType: "" },
        { ...defaultDescribedGroup(), groupId: "bob.g", groupState: "Empty", protocolType: "" },
      ],
    }),
    client: { groups: [{ groupId: "g", groupState: "Empty" }] },
  }),
];
