// Client telemetry (KIP-714: GetTelemetrySubscriptions, PushTelemetry) inside a virtual cluster
// is answered by kgate, never forwarded. The answer is "no subscription": no requested metrics,
// so a client asks again after the push interval and never pushes.
//
// Why not forward with the tenant attached: a broker offers these APIs only when an operator has
// installed a telemetry plugin (the pinned broker does not), the subscriptions it holds are the
// operator's (matched on client ids and software names of every tenant, so they would tell one
// tenant about the others), and the pushed payload is OpenTelemetry protobuf naming topics and
// groups as the tenant sees them: kgate would have to decode and rewrite it to keep the prefixes
// straight, which it cannot do completely (invariant 1) and does not want to (records and
// payloads pass undecoded, invariant 3). The APIs are offered whatever the backing broker
// offers, so a Java client (telemetry is on by default) asks kgate, gets "nothing wanted", and
// neither pushes nor logs about it; without the offer it would skip telemetry silently, and a
// broker-side subscription could never leak into a vcluster either way.
import type { RequestHead, RequestOutcome } from "../gateway/session-policy.ts";
import { decodeRequest, encodeResponse } from "../protocol/codec.ts";
import { ErrorCode } from "../protocol/error-codes.ts";
import type { GetTelemetrySubscriptionsRequest } from "../protocol/messages/get-telemetry-subscriptions-request.ts";
import type { GetTelemetrySubscriptionsResponse } from "../protocol/messages/get-telemetry-subscriptions-response.ts";
import type { PushTelemetryResponse } from "../protocol/messages/push-telemetry-response.ts";
import { ZERO_UUID } from "../protocol/messages/constants.ts";
import { ApiKey } from "../protocol/messages/api-keys.ts";

const GET_TELEMETRY_SUBSCRIPTIONS = ApiKey.GetTelemetrySubscriptions;
const PUSH_TELEMETRY = ApiKey.PushTelemetry;
export const CLIENT_TELEMETRY_API_KEYS: readonly number[] = [GET_TELEMETRY_SUBSCRIPTIONS, PUSH_TELEMETRY];

/** How often a client asks again: Kafka's default client-metrics interval (5 minutes). */
const TELEMETRY_RECHECK_INTERVAL_MS = 300_000;
/** Kafka's default telemetry.max.bytes (never used: nothing is requested). */
const TELEMETRY_MAX_BYTES = 1024 * 1024;

export function isClientTelemetry(apiKey: number): boolean {
  return apiKey === GET_TELEMETRY_SUBSCRIPTIONS || apiKey === PUSH_TELEMETRY;
}

/** The local answer to a telemetry request (the caller checks `isClientTelemetry`). */
export function answerClientTelemetry(frame: Uint8Array, head: RequestHead): RequestOutcome {
  const header = { correlationId: head.correlationId };
  if (head.apiKey === PUSH_TELEMETRY) {
    // Nothing was requested, so a push is dropped unread; NONE keeps the client from logging.
    const body: PushTelemetryResponse = { throttleTimeMs: 0, errorCode: ErrorCode.NONE };
    return { kind: "answer", frame: encodeResponse(PUSH_TELEMETRY, head.apiVersion, header, body) };
  }
  const { body: request } = decodeRequest<GetTelemetrySubscriptionsRequest>(frame);
  const body: GetTelemetrySubscriptionsResponse = {
    throttleTimeMs: 0,
    errorCode: ErrorCode.NONE,
    // As a broker: a client without an instance id (the zero UUID) is given one.
    clientInstanceId: request.clientInstanceId === ZERO_UUID ? randomUuid() : request.clientInstanceId,
    subscriptionId: 0,
    acceptedCompressionTypes: [],
    pushIntervalMs: TELEMETRY_RECHECK_INTERVAL_MS,
    telemetryMaxBytes: TELEMETRY_MAX_BYTES,
    deltaTemporality: true,
    requestedMetrics: [],
  };
  return { kind: "answer", frame: encodeResponse(GET_TELEMETRY_SUBSCRIPTIONS, head.apiVersion, header, body) };
}

function randomUuid(): string {
  return crypto.randomUUID().replaceAll("-", "");
}
