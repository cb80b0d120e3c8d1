// produceRequestTopics reads a Produce request's topics past its records: for every version and
// any request the schema allows, the same names (v3-12) or ids (v13+) the full decoder finds.
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { decodeRequest, encodeRequest } from "../../src/protocol/codec.ts";
import { ApiKey } from "../../src/protocol/messages/api-keys.ts";
import type { ProduceRequest } from "../../src/protocol/messages/produce-request.ts";
import { produceRequestTopics } from "../../src/protocol/produce-topics.ts";
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
      transactionalId: null, acks: 1, timeoutMs: 1000,
      topicData: [{ name: "orders", topicId: "00000000000000000000000000000000", partitionData: [{ index: 0, records: new Uint8Array(64) }] }],
    }));
    expect(() => produceRequestTopics(frame.subarray(0, frame.length - 40), 11)).toThrow(ProtocolError);
  });
});
