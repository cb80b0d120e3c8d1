// SyncGroup: the group prefixed; topics in the leader's consumer-protocol assignments prefixed,
// and stripped in the member's own assignment.
import { ApiKey } from "../../../../src/protocol/messages/api-keys.ts";
import { ErrorCode } from "../../../../src/protocol/error-codes.ts";
import { encodeAssignment } from "../../../../src/vcluster/consumer-protocol-codec.ts";
import { request, response, scenario, step } from "../../../support/scenario.ts";

const assignment = (topic: string) => encodeAssignment({ version: 3, body: { assignedPartitions: [{ topic, partitions: [0] }], userData: null } });

export default [
  scenario({
    name: "consumer protocol (v5 states it): assignments prefixed in, stripped out",
    apiKey: ApiKey.SyncGroup,
    versions: [5],
    request: request(ApiKey.SyncGroup, {
      groupId: "g",
      generationId: 1,
      memberId: "m-1",
      protocolType: "consumer",
      protocolName: "range",
      assignments: [{ memberId: "m-1", assignment: assignment("orders") }],
    }),
    broker: { groupId: "alice.g", assignments: [{ memberId: "m-1", assignment: assignment("alice.orders") }] },
    response: response(ApiKey.SyncGroup, { protocolType: "consumer", protocolName: "range", assignment: assignment("alice.orders") }),
    client: { assignment: assignment("orders") },
  }),
  scenario({
    name: "v0-4 after a consumer-protocol join on this connection: assignments prefixed in, stripped out",
    apiKey: ApiKey.SyncGroup,
    versions: [0, 4],
    before: [step({
      apiKey: ApiKey.JoinGroup,
      version: 5,
      request: request(ApiKey.JoinGroup, { groupId: "g", sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 10_000, protocolType: "consumer", protocols: [] }),
      response: response(ApiKey.JoinGroup, { generationId: 1, protocolName: "range", leader: "m-1", memberId: "m-1" }),
    })],
    request: request(ApiKey.SyncGroup, {
      groupId: "g",
      generationId: 1,
      memberId: "m-1",
      assignments: [{ memberId: "m-1", assignment: assignment("orders") }],
    }),
    broker: { groupId: "alice.g", assignments: [{ memberId: "m-1", assignment: assignment("alice.orders") }] },
    response: response(ApiKey.SyncGroup, { assignment: assignment("alice.orders") }),
    client: { assignment: assignment("orders") },
  }),
  scenario({
    name: "v0-4 of a member that did not join on this connection: kgate cannot tell the protocol, REBALANCE_IN_PROGRESS",
    apiKey: ApiKey.SyncGroup,
    versions: [0, 4],
    request: request(ApiKey.SyncGroup, {
      groupId: "g",
      generationId: 1,
      memberId: "m-1",
      assignments: [{ memberId: "m-1", assignment: assignment("orders") }],
    }),
    answer: { errorCode: ErrorCode.REBALANCE_IN_PROGRESS },
  }),
];
