// StreamsGroupHeartbeat (KIP-1071): the group and every topic of the topology prefixed, source
// regexes anchored inside alice's prefix; status details come back in her names.
import { ApiKey } from "../../../../src/protocol/messages/api-keys.ts";
import { request, response, scenario } from "../../../support/scenario.ts";

const topology = {
  epoch: 0,
  subtopologies: [{
    subtopologyId: "0",
    sourceTopics: ["input"],
    sourceTopicRegex: ["in.*"],
    stateChangelogTopics: [{ name: "app-store-changelog", partitions: 0, replicationFactor: 0, topicConfigs: [] }],
    repartitionSinkTopics: ["app-rekey-repartition"],
    repartitionSourceTopics: [{ name: "app-rekey-repartition", partitions: 0, replicationFactor: 0, topicConfigs: [] }],
    copartitionGroups: [],
  }],
};

export default [
  scenario({
    name: "group and topology prefixed, regex anchored; status details stripped",
    apiKey: ApiKey.StreamsGroupHeartbeat,
    versions: [0, 1],
    request: request(ApiKey.StreamsGroupHeartbeat, { groupId: "app", memberId: "m-1", memberEpoch: 0, rebalanceTimeoutMs: 1000, topology }),
    broker: {
      groupId: "alice.app",
      topology: {
        subtopologies: [{
          sourceTopics: ["alice.input"],
          sourceTopicRegex: ["^alice\\.(?:in.*)$"],
          stateChangelogTopics: [{ name: "alice.app-store-changelog" }],
          repartitionSinkTopics: ["alice.app-rekey-repartition"],
          repartitionSourceTopics: [{ name: "alice.app-rekey-repartition" }],
        }],
      },
    },
    response: response(ApiKey.StreamsGroupHeartbeat, {
      memberId: "m-1",
      memberEpoch: 1,
      status: [{ statusCode: 1, statusDetail: "Source topics alice.input are missing." }],
    }),
    client: { memberId: "m-1", status: [{ statusCode: 1, statusDetail: "Source topics input are missing." }] },
  }),
];
