// StreamsGroupTopologyDescriptionUpdate: the group and the topics the description's nodes read
// and write prefixed.
import { ApiKey } from "../../../../src/protocol/messages/api-keys.ts";
import { defaultTopologyDescriptionNode } from "../../../../src/protocol/messages/streams-group-topology-description-update-request.ts";
import { request, response, scenario } from "../../../support/scenario.ts";

const node = (name: string, over: object) => ({ ...defaultTopologyDescriptionNode(), name, ...over });

export default [
  scenario({
    name: "group and node topics prefixed",
    apiKey: ApiKey.StreamsGroupTopologyDescriptionUpdate,
    versions: [0],
    request: request(ApiKey.StreamsGroupTopologyDescriptionUpdate, {
      groupId: "app",
      memberId: "m-1",
      topologyEpoch: 1,
      topologyDescription: {
        subtopologies: [{
          subtopologyId: "0",
          nodes: [node("source", { sourceTopics: ["input"], successors: ["sink"] }), node("sink", { sinkTopic: "output" })],
        }],
        globalStores: [],
      },
    }),
    broker: {
      groupId: "alice.app",
      topologyDescription: { subtopologies: [{ nodes: [{ sourceTopics: ["alice.input"] }, { sinkTopic: "alice.output" }] }] },
    },
    response: response(ApiKey.StreamsGroupTopologyDescriptionUpdate, { errorCode: 0 }),
    client: { errorCode: 0 },
  }),
];
