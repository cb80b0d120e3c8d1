// Every broker API × every valid version: a schema-derived value survives encode→decode→encode
// with identical bytes, for requests and responses.
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { API_LIST } from "../../src/protocol/registry.ts";
import { Reader, Writer } from "../../src/protocol/wire.ts";
import { loadSpecs, messageArbitrary, projectToVersion } from "../support/spec-arbitraries.ts";

const specs = loadSpecs();
let pairs = 0;

describe("generated codecs round-trip", () => {
  for (const api of API_LIST) {
    test(`${api.name} (key ${api.apiKey}) v${api.minVersion}-${api.maxVersion}`, () => {
      for (const [kind, codec] of [["Request", api.request], ["Response", api.response]] as const) {
        const spec = specs.get(`${api.name}${kind}`)!;
        expect(spec?.apiKey).toBe(api.apiKey);
        for (let v = api.minVersion; v <= api.maxVersion; v++) {
          fc.assert(
            fc.property(messageArbitrary(spec, v), (value) => {
              const w = new Writer();
              codec.encode(w, v, value);
              const bytes = w.toBytes();
              const r = new Reader(bytes);
              const decoded = codec.decode(r, v);
              expect(r.remaining).toBe(0);
              expect(projectToVersion(spec, v, decoded)).toEqual(value);
              const w2 = new Writer();
              codec.encode(w2, v, decoded);
              expect(w2.toBytes()).toEqual(bytes);
              // The generated skipper lands exactly on the top-level tag section, which holds
              // one entry per top-level tagged field the value sets (known or not).
              const skipped = new Reader(bytes);
              codec.skipToTags(skipped, v);
              if (v >= api.flexibleMin) {
                const tagsAt = skipped.pos;
                const top = value as { _unknownTags?: unknown[] } & Record<string, unknown>;
                const set = codec.topLevelTagged.filter((p) => top[p] !== undefined).length + (top._unknownTags?.length ?? 0);
                expect(skipped.uvarint()).toBe(set);
                skipped.pos = tagsAt;
                skipped.skipTaggedFields();
              }
              expect(skipped.remaining).toBe(0);
            }),
            { numRuns: 15 },
          );
          pairs++;
        }
      }
    });
  }
  test("covers every (API, version) pair", () => {
    const expected = API_LIST.reduce((n, a) => n + 2 * (a.maxVersion - a.minVersion + 1), 0);
    expect(pairs).toBe(expected);
    console.log(`round-tripped ${API_LIST.length} APIs, ${pairs} (message, version) pairs`);
  });
});
