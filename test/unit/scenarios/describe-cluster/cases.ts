// DescribeCluster: brokers advertised at kgate's address.
import { ApiKey } from "../../../../src/protocol/messages/api-keys.ts";
import { BROKER_PORT_BASE, KGATE_HOST, request, response, scenario } from "../../../support/scenario.ts";

export default [
  scenario({
    name: "brokers at kgate's address",
    apiKey: ApiKey.DescribeCluster,
    versions: [0, 2],
    request: request(ApiKey.DescribeCluster, { endpointType: 1 }),
    response: response(ApiKey.DescribeCluster, {
      clusterId: "backing",
      controllerId: 1,
      endpointType: 1,
      brokers: [{ brokerId: 1, host: "broker-1.backing", port: 9092, rack: null, isFenced: false }],
    }),
    client: { brokers: [{ brokerId: 1, host: KGATE_HOST, port: BROKER_PORT_BASE + 1 }] },
  }),
];
