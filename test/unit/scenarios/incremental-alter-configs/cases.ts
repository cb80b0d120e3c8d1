// IncrementalAlterConfigs: topic and group resources prefixed; cluster-level resources refused.
import { ApiKey } from "../../../../src/protocol/messages/api-keys.ts";
import { ErrorCode } from "../../../../src/protocol/error-codes.ts";
import { ConfigResourceType } from "../../../../src/protocol/messages/constants.ts";
import { request, response, scenario } from "../../../support/scenario.ts";

export default [
  scenario({
    name: "topic prefixed, client metrics refused",
    apiKey: ApiKey.IncrementalAlterConfigs,
    versions: [0, 1],
    request: request(ApiKey.IncrementalAlterConfigs, {
      resources: [
        { resourceType: ConfigResourceType.TOPIC, resourceName: "orders", configs: [{ name: "retention.ms", configOperation: 0, value: "1000" }] },
        { resourceType: ConfigResourceType.CLIENT_METRICS, resourceName: "m", configs: [] },
      ],
    }),
    broker: { resources: [{ resourceType: ConfigResourceType.TOPIC, resourceName: "alice.orders" }] },
    response: response(ApiKey.IncrementalAlterConfigs, {
      responses: [{ errorCode: 0, errorMessage: null, resourceType: ConfigResourceType.TOPIC, resourceName: "alice.orders" }],
    }),
    client: {
      responses: [
        { resourceName: "orders", errorCode: 0 },
        { resourceType: ConfigResourceType.CLIENT_METRICS, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED },
      ],
    },
  }),
];
