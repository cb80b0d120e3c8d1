// GetTelemetrySubscriptions: answered by kgate, no metrics requested, never forwarded.
import { ApiKey } from "../../../../src/protocol/messages/api-keys.ts";
import { request, scenario } from "../../../support/scenario.ts";

export default [
  scenario({
    name: "answered locally with no requested metrics",
    apiKey: ApiKey.GetTelemetrySubscriptions,
    versions: [0],
    request: request(ApiKey.GetTelemetrySubscriptions, {}),
    answer: { errorCode: 0, requestedMetrics: [] },
  }),
];
