// DescribeConfigs: topic and group resources prefixed; cluster-level resources refused per
// resource; broker-level config sources scrubbed.
import { ApiKey } from "../../../../src/protocol/messages/api-keys.ts";
import { ErrorCode } from "../../../../src/protocol/error-codes.ts";
import { ConfigResourceType, ConfigSource } from "../../../../src/protocol/messages/constants.ts";
import { request, response, scenario } from "../../../support/scenario.ts";

const config = (name: string, value: string, configSource: number) => ({
  name,
  value,
  readOnly: false,
  configSource,
  isSensitive: false,
  synonyms: [],
  configType: 0,
  documentation: null,
});

export default [
  scenario({
    name: "topic prefixed, broker refused, the broker's own settings scrubbed",
    apiKey: ApiKey.DescribeConfigs,
    versions: [1, 4],
    request: request(ApiKey.DescribeConfigs, {
      resources: [
        { resourceType: ConfigResourceType.TOPIC, resourceName: "orders", configurationKeys: null },
        { resourceType: ConfigResourceType.BROKER, resourceName: "1", configurationKeys: null },
      ],
    }),
    broker: { resources: [{ resourceType: ConfigResourceType.TOPIC, resourceName: "alice.orders" }] },
    response: response(ApiKey.DescribeConfigs, {
      results: [{
        errorCode: 0,
        errorMessage: null,
        resourceType: ConfigResourceType.TOPIC,
        resourceName: "alice.orders",
        configs: [config("retention.ms", "1000", ConfigSource.TOPIC_CONFIG), config("log.dirs", "/var/kafka", ConfigSource.STATIC_BROKER_CONFIG)],
      }],
    }),
    client: {
      results: [
        {
          resourceName: "orders",
          errorCode: 0,
          configs: [{ name: "retention.ms", configSource: ConfigSource.TOPIC_CONFIG }, { name: "log.dirs", configSource: ConfigSource.DEFAULT_CONFIG }],
        },
        { resourceType: ConfigResourceType.BROKER, resourceName: "1", errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED },
      ],
    },
  }),
];
