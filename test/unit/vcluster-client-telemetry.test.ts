// Client telemetry inside a vcluster is answered by kgate: no subscription, so nothing is pushed.
import { describe, expect, test } from "bun:test";
import { decodeResponse, encodeRequest } from "../../src/protocol/codec.ts";
import { peekRequest } from "../../src/protocol/headers.ts";
import { ApiKey } from "../../src/protocol/messages/api-keys.ts";
import { answerClientTelemetry } from "../../src/vcluster/client-telemetry.ts";
import { concatBytes } from "../support/bytes.ts";

// deno-lint-ignore no-explicit-any
type Msg = any;
const ZERO = "0".repeat(32);

function answer(apiKey: number, body: unknown, correlationId = 5): Msg {
  const frame = concatBytes(encodeRequest({ apiKey, apiVersion: 0, correlationId, clientId: "t" }, body));
  const outcome = answerClientTelemetry(frame, peekRequest(frame));
  if (outcome.kind !== "answer" || outcome.frame === null) throw new Error(`expected an answer, got ${outcome.kind}`);
  const bytes = outcome.frame instanceof Uint8Array ? outcome.frame : concatBytes(outcome.frame);
  const { header, body: response } = decodeResponse<Msg>(bytes, apiKey, 0);
  expect(header.correlationId).toBe(correlationId);
  return response;
}

describe("client telemetry answered locally", () => {
  test("a new client gets an instance id, no requested metrics and a push interval", () => {
    const a = answer(ApiKey.GetTelemetrySubscriptions, { clientInstanceId: ZERO });
    const b = answer(ApiKey.GetTelemetrySubscriptions, { clientInstanceId: ZERO });
    expect(a.errorCode).toBe(0);
    expect(a.requestedMetrics).toEqual([]);
    expect(a.pushIntervalMs).toBeGreaterThan(0);
    expect(a.clientInstanceId).toMatch(/^[0-9a-f]{32}$/);
    expect(a.clientInstanceId).not.toBe(ZERO);
    expect(b.clientInstanceId).not.toBe(a.clientInstanceId);
  });

  test("a client with an instance id keeps it", () => {
    const id = "0123456789abcdef0123456789abcdef";
    expect(answer(ApiKey.GetTelemetrySubscriptions, { clientInstanceId: id }).clientInstanceId).toBe(id);
  });

  test("a push is accepted without error", () => {
    const pushed = answer(ApiKey.PushTelemetry, {
      clientInstanceId: ZERO,
      subscriptionId: 0,
      terminating: false,
      compressionType: 0,
      metrics: new Uint8Array([1, 2, 3]),
    });
    expect(pushed.errorCode).toBe(0);
  });
});
