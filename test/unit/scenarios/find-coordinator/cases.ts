// FindCoordinator: keys (groups, transactional ids) prefixed by a hand rule; the coordinator is
// advertised at kgate's address.
import { ApiKey } from "../../../../src/protocol/messages/api-keys.ts";
import { BROKER_PORT_BASE, KGATE_HOST, request, response, scenario } from "../../../support/scenario.ts";

export default [
  scenario({
    name: "one key (v0-3)",
    apiKey: ApiKey.FindCoordinator,
    versions: [0, 3],
    request: request(ApiKey.FindCoordinator, { key: "g", keyType: 0 }),
    broker: { key: "alice.g" },
    response: response(ApiKey.FindCoordinator, { nodeId: 1, host: "broker-1.backing", port: 9092 }),
    client: { nodeId: 1, host: KGATE_HOST, port: BROKER_PORT_BASE + 1 },
  }),
  scenario({
    name: "batched keys (v4+)",
    apiKey: ApiKey.FindCoordinator,
    versions: [4, 6],
    request: request(ApiKey.FindCoordinator, { keyType: 1, coordinatorKeys: ["tx-1", "tx-2"] }),
    broker: { coordinatorKeys: ["alice.tx-1", "alice.tx-2"] },
    response: response(ApiKey.FindCoordinator, {
      coordinators: [{ key: "alice.tx-1", nodeId: 1, host: "broker-1.backing", port: 9092, errorCode: 0, errorMessage: null }],
    }),
    client: { coordinators: [{ key: "tx-1", host: KGATE_HOST, port: BROKER_PORT_BASE + 1 }] },
  }),
];
