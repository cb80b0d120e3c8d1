// JoinGroup: the group prefixed; topic names inside the consumer protocol's subscription
// prefixed on the way in and stripped in the members' metadata on the way out.
import { ApiKey } from "../../../../src/protocol/messages/api-keys.ts";
import { encodeSubscription } from "../../../../src/vcluster/consumer-protocol-codec.ts";
import { request, response, scenario } from "../../../support/scenario.ts";

const subscription = (topics: string[]) =>
  encodeSubscription({ version: 3, body: { topics, userData: null, ownedPartitions: [], generationId: -1, rackId: null } });

export default [
  scenario({
    name: "consumer protocol: group and subscribed topics prefixed, members' topics stripped",
    apiKey: ApiKey.JoinGroup,
    versions: [0, 5, 9],
    request: request(ApiKey.JoinGroup, {
      groupId: "g",
      sessionTimeoutMs: 10_000,
      rebalanceTimeoutMs: 10_000,
      protocolType: "consumer",
      protocols: [{ name: "range", metadata: subscription(["orders"]) }],
    }),
    broker: { groupId: "alice.g", protocols: [{ name: "range", metadata: subscription(["alice.orders"]) }] },
    response: response(ApiKey.JoinGroup, {
      generationId: 1,
      protocolType: "consumer",
      protocolName: "range",
      leader: "m-1",
      memberId: "m-1",
      members: [{ memberId: "m-1", groupInstanceId: null, metadata: subscription(["alice.orders"]) }],
    }),
    client: { members: [{ memberId: "m-1", metadata: subscription(["orders"]) }] },
  }),
];
