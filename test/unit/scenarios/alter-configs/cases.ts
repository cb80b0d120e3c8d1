// AlterConfigs: topic and group resources prefixed; cluster-level resources refused.
import { ApiKey } from "../../../../src/protocol/messages/api-keys.ts";
import { ErrorCode } from "../../../../src/protocol/error-codes.ts";
import { ConfigResourceType } from "../../../../src/protocol/messages/constants.ts";
import { request, response, scenario } from "../../../support/scenario.ts";

export default [
  scenario({
    name: "group prefixed, broker logger refused",
    apiKey: ApiKey.AlterConfigs,
    versions: [0, 2],
    request: request(ApiKey.AlterConfigs, {
      resources: [
        { resourceType: ConfigResourceType.GROUP, resourceName: "g", configs: [{ name: "consumer.session.timeout.ms", value: "45000" }] },
        { resourceType: ConfigResourceType.BROKER_LOGGER, resourceName: "1", configs: [{ name: "kafka", value: "DEBUG" }] },
      ],
    }),
    broker: { resources: [{ resourceType: ConfigResourceType.GROUP, resourceName: "alice.g" }] },
    response: response(ApiKey.AlterConfigs, {
      responses: [{ errorCode: 0, errorMessage: null, resourceType: ConfigResourceType.GROUP, resourceName: "alice.g" }],
    }),
    client: {
      responses: [
        { resourceName: "g", errorCode: 0 },
        { resourceType: ConfigResourceType.BROKER_LOGGER, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED },
      ],
    },
  }),
];
