// LeaveGroup: the group prefixed; member ids are the broker's and stay as they are.
import { ApiKey } from "../../../../src/protocol/messages/api-keys.ts";
import { request, response, scenario } from "../../../support/scenario.ts";

export default [
  scenario({
    name: "one member (v0-2)",
    apiKey: ApiKey.LeaveGroup,
    versions: [0, 2],
    request: request(ApiKey.LeaveGroup, { groupId: "g", memberId: "m-1" }),
    broker: { groupId: "alice.g", memberId: "m-1" },
  }),
  scenario({
    name: "members (v3+)",
    apiKey: ApiKey.LeaveGroup,
    versions: [3, 5],
    request: request(ApiKey.LeaveGroup, { groupId: "g", members: [{ memberId: "m-1", groupInstanceId: null, reason: null }] }),
    broker: { groupId: "alice.g", members: [{ memberId: "m-1" }] },
    response: response(ApiKey.LeaveGroup, { members: [{ memberId: "m-1", groupInstanceId: null, errorCode: 0 }] }),
    client: { members: [{ memberId: "m-1", errorCode: 0 }] },
  }),
];
