// StreamsGroupDescribe: group ids prefixed; foreign groups dropped; the topology's topics stripped.
import { ApiKey } from "../../../../src/protocol/messages/api-keys.ts";
import { defaultDescribedGroup } from "../../../../src/protocol/messages/streams-group-describe-response.ts";
import { request, response, scenario } from "../../../support/scenario.ts";

const topology = (topic: string) => ({
  epoch: 0,
  subtopologies: [{ subtopologyId: "0", sourceTopics: [topic], repartitionSinkTopics: [], stateChangelogTopics: [], repartitionSourceTopics: [] }],
});

export default [
  scenario({
    name: "prefixed in; stripped and filtered out",
    apiKey: ApiKey.StreamsGroupDescribe,
    versions: [0, 1],
    request: request(ApiKey.StreamsGroupDescribe, { groupIds: ["app"] }),
    broker: { groupIds: ["alice.app"] },
    response: response(ApiKey.StreamsGroupDescribe, {
      groups: [
        { ...defaultDescribedGroup(), groupId: "alice.app", groupState: "Stable", topology: topology("alice.input") },
        { ...defaultDescribedGroup(), groupId: "bob.app", groupState: "Stable", topology: topology("bob.secret") },
      ],
    }),
    client: { groups: [{ groupId: "app", topology: { subtopologies: [{ sourceTopics: ["input"] }] } }] },
  }),
];
