// throttle_time_ms in responses: patched in place where it is the first body field (so a
// streamed Fetch carries it), re-encoded where it is not (Produce has it last); the larger of
// the broker's and kgate's wins.
import { describe, expect, test } from "bun:test";
import { decodeResponse, encodeResponse } from "../../src/protocol/codec.ts";
import { concatBytes } from "../../src/protocol/wire.ts";
import { raiseThrottleTimeInPlace, throttleTimeIsFirst, withThrottleTime } from "../../src/protocol/throttle-time.ts";
import { apiSpec } from "../../src/protocol/registry.ts";

// deno-lint-ignore no-explicit-any
type Msg = any;
const PRODUCE = 0;
const FETCH = 1;
const METADATA = 3;

function response(apiKey: number, version: number, throttleTimeMs: number): Uint8Array {
  const body = { ...(apiSpec(apiKey)!.response.create() as Msg), throttleTimeMs };
  return concatBytes(encodeResponse(apiKey, version, { correlationId: 7 }, body));
}

describe("throttle_time_ms in responses", () => {
  test("first field: Fetch (all versions), Metadata v3+; not Produce", () => {
    for (let v = apiSpec(FETCH)!.minVersion; v <= apiSpec(FETCH)!.maxVersion; v++) expect(throttleTimeIsFirst(FETCH, v)).toBe(true);
    expect(throttleTimeIsFirst(METADATA, 12)).toBe(true);
    expect(throttleTimeIsFirst(PRODUCE, 9)).toBe(false);
  });

  test("patched in place in a Fetch response, flexible and not, keeping the broker's when larger", () => {
    for (const v of [4, 11, 12, 16]) {
      const frame = response(FETCH, v, 0);
      expect(raiseThrottleTimeInPlace(frame.subarray(0, 64), FETCH, v, 1234)).toBe(1234);
      expect(decodeResponse<Msg>(frame, FETCH, v).body.throttleTimeMs).toBe(1234);
      const brokers = response(FETCH, v, 5000);
      expect(raiseThrottleTimeInPlace(brokers, FETCH, v, 1234)).toBe(5000);
      expect(decodeResponse<Msg>(brokers, FETCH, v).body.throttleTimeMs).toBe(5000);
    }
  });

  test("Produce: re-encoded with the larger throttle, everything else unchanged", () => {
    for (const v of [3, 8, 9, 11]) {
      const frame = response(PRODUCE, v, 10);
      const out = withThrottleTime(frame, PRODUCE, v, 777);
      const decoded = decodeResponse<Msg>(concatBytes(out instanceof Uint8Array ? [out] : out), PRODUCE, v);
      expect(decoded.body.throttleTimeMs).toBe(777);
      expect(decoded.header.correlationId).toBe(7);
      const kept = withThrottleTime(response(PRODUCE, v, 9000), PRODUCE, v, 777);
      expect(decodeResponse<Msg>(concatBytes(kept instanceof Uint8Array ? [kept] : kept), PRODUCE, v).body.throttleTimeMs).toBe(9000);
    }
  });

  test("no throttle: the very same frame", () => {
    const frame = response(PRODUCE, 9, 0);
    expect(withThrottleTime(frame, PRODUCE, 9, 0)).toBe(frame);
  });
});
