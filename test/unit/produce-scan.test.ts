// produceRequestTopics reads a Produce request's topics past its records: for every version and
// any request the schema allows, the same names (v3-12) or ids (v13+) the full decoder finds.
// produceResponseIsPlain agrees with the decoder on whether a response holds anything to rewrite.
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { decodeRequest, decodeResponse, encodeRequest, encodeResponse } from "../../src/protocol/codec.ts";
import { ApiKey } from "../../src/protocol/messages/api-keys.ts";
import type { ProduceRequest } from "../../src/protocol/messages/produce-request.ts";
import type { ProduceResponse } from "../../src/protocol/messages/produce-response.ts";
import { produceRequestTopics, produceResponseIsPlain } from "../../src/protocol/produce-scan.ts";
import { apiSpec } from "../../src/protocol/registry.ts";
import { concatBytes, ProtocolError } from "../../src/protocol/wire.ts";
import { loadSpecs, messageArbitrary } from "../support/spec-arbitraries.ts";

const spec = loadSpecs().get("ProduceRequest")!;
const produce = apiSpec(ApiKey.Produce)!;

describe("produceRequestTopics", () => {
  for (let v = produce.minVersion; v <= produce.maxVersion; v++) {
    test(`v${v}: the decoder's topics, in order`, () => {
      fc.assert(
        fc.property(messageArbitrary(spec, v), fc.option(fc.string({ maxLength: 20 })), (body, clientId) => {
          const frame = concatBytes(encodeRequest({ apiKey: ApiKey.Produce, apiVersion: v, correlationId: 3, clientId }, body));
          const decoded = decodeRequest<ProduceRequest>(frame).body;
          const expected = decoded.topicData.map((t) => (v >= 13 ? t.topicId : t.name));
          expect(produceRequestTopics(frame, v)).toEqual(expected);
        }),
        { numRuns: 40 },
      );
    });
  }

  test("a truncated frame throws ProtocolError (the guard then decodes, which refuses it)", () => {
    const frame = concatBytes(encodeRequest({ apiKey: ApiKey.Produce, apiVersion: 11, correlationId: 3, clientId: "c" }, {
      transactionalId: null,
      acks: 1,
      timeoutMs: 1000,
      topicData: [{ name: "orders", topicId: "00000000000000000000000000000000", partitionData: [{ index: 0, records: new Uint8Array(64) }] }],
    }));
    expect(() => produceRequestTopics(frame.subarray(0, frame.length - 40), 11)).toThrow(ProtocolError);
  });
});

describe("produceResponseIsPlain", () => {
  const responseSpec = loadSpecs().get("ProduceResponse")!;
  for (let v = 13; v <= produce.maxVersion; v++) {
    test(`v${v}: plain exactly when no message, no record error and no top-level tag`, () => {
      fc.assert(
        fc.property(messageArbitrary(responseSpec, v), (body) => {
          const frame = concatBytes(encodeResponse(ApiKey.Produce, v, { correlationId: 3 }, body));
          const decoded = decodeResponse<ProduceResponse>(frame, ApiKey.Produce, v).body;
          const partitions = decoded.responses.flatMap((t) => t.partitionResponses);
          const expected = partitions.every((p) => p.recordErrors.length === 0 && p.errorMessage === null) &&
            decoded.nodeEndpoints === undefined && (decoded._unknownTags?.length ?? 0) === 0;
          expect(produceResponseIsPlain(frame, v)).toBe(expected);
        }),
        { numRuns: 200 },
      );
    });
  }

  test("a typical acknowledgement is plain; one with an error message is not", () => {
    const ack = (errorMessage: string | null): Uint8Array =>
      concatBytes(encodeResponse(ApiKey.Produce, 13, { correlationId: 3 }, {
        responses: [{
          name: "",
          topicId: "0123456789abcdef0123456789abcdef",
          partitionResponses: [{
            index: 0,
            errorCode: errorMessage ? 87 : 0,
            baseOffset: 5n,
            logAppendTimeMs: -1n,
            logStartOffset: 0n,
            recordErrors: [],
            errorMessage,
          }],
        }],
        throttleTimeMs: 0,
      }));
    expect(produceResponseIsPlain(ack(null), 13)).toBe(true);
    expect(produceResponseIsPlain(ack("vc-bob.secret is invalid"), 13)).toBe(false);
    expect(produceResponseIsPlain(ack(null), 12)).toBe(false); // names to strip below v13
  });
});
