// PushTelemetry: answered by kgate; the payload is dropped unread, never forwarded.
import { ApiKey } from "../../../../src/protocol/messages/api-keys.ts";
import { request, scenario } from "../../../support/scenario.ts";

export default [
  scenario({
    name: "answered locally",
    apiKey: ApiKey.PushTelemetry,
    versions: [0],
    request: request(ApiKey.PushTelemetry, { clientInstanceId: "0f".repeat(16), metrics: new Uint8Array([1, 2, 3]) }),
    answer: { errorCode: 0 },
  }),
];
