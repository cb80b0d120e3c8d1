// Responses decoded with a `keep` predicate skip refused entries instead of building them. For
// every API response and version, that must change nothing about what the tenant gets: dropping
// early and then filtering as usual gives the same bytes as decoding everything and filtering.
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { decodeResponse, encodeResponse } from "../../src/protocol/codec.ts";
import { defaultMetadataResponseTopic } from "../../src/protocol/messages/metadata-response.ts";
import { API_LIST } from "../../src/protocol/registry.ts";
import { concatBytes, type KeepEntry, Reader, Writer } from "../../src/protocol/wire.ts";
import { dropForeign } from "../../src/protocol/name-fields.ts";
import { loadSpecs, messageArbitrary } from "../support/spec-arbitraries.ts";

const specs = loadSpecs();

/** An arbitrary but fixed rule: even-length names stay; so does "" for topics (see keepName). */
const keep: KeepEntry = (kind, name) => (kind === "topicName" && name === "") || name.length % 2 === 0;

function filtered(body: unknown, fields: (typeof API_LIST)[number]["response"]["entities"], v: number): void {
  dropForeign(body, fields, v, ["topicName"], (n) => keep("topicName", n));
  dropForeign(body, fields, v, ["groupId", "transactionalId"], (n) => keep("groupId", n));
}

describe("decode-time filtering of responses", () => {
  for (const api of API_LIST) {
    test(`${api.name} response v${api.minVersion}-${api.maxVersion}: early drop equals late drop`, () => {
      const spec = specs.get(`${api.name}Response`)!;
      for (let v = api.minVersion; v <= api.maxVersion; v++) {
        fc.assert(
          fc.property(messageArbitrary(spec, v), (value) => {
            const w = new Writer();
            api.response.encode(w, v, value);
            const bytes = w.toBytes();

            const late = api.response.decode(new Reader(bytes), v);
            filtered(late, api.response.entities, v);
            const r = new Reader(bytes);
            r.keep = keep;
            const early = api.response.decode(r, v);
            expect(r.remaining).toBe(0);
            filtered(early, api.response.entities, v);

            const a = new Writer();
            api.response.encode(a, v, late);
            const b = new Writer();
            api.response.encode(b, v, early);
            expect(b.toBytes()).toEqual(a.toBytes());
          }),
          { numRuns: 10 },
        );
      }
    });
  }

  test("a Metadata response for all topics keeps the tenant's and counts the rest as dropped", () => {
    const topics = Array.from({ length: 100 }, (_, i) => ({
      ...defaultMetadataResponseTopic(),
      name: i % 10 === 0 ? `vc-a.t${i}` : `vc-b.t${i}`,
      partitions: [{ errorCode: 0, partitionIndex: 0, leaderId: 0, leaderEpoch: 0, replicaNodes: [0], isrNodes: [0], offlineReplicas: [] }],
    }));
    const frame = concatBytes(encodeResponse(3, 12, { correlationId: 5 }, {
      throttleTimeMs: 0,
      brokers: [],
      clusterId: null,
      controllerId: 0,
      topics,
      clusterAuthorizedOperations: 0,
      errorCode: 0,
    }));
    const { header, body, dropped } = decodeResponse<{ topics: Array<{ name: string }> }>(frame, 3, 12, {
      keep: (_kind, name) => name.startsWith("vc-a."),
    });
    expect(header.correlationId).toBe(5);
    expect(dropped).toBe(90);
    expect(body.topics.map((t) => t.name)).toEqual(Array.from({ length: 10 }, (_, i) => `vc-a.t${i * 10}`));
  });
});
