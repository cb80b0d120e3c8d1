// The transparent proxy's Produce and Fetch responses: broker addresses live only in their
// top-level NodeEndpoints tag, so a response without top-level tags passes as the very frame the
// broker sent (not decoded), and one with NodeEndpoints has them rewritten to kgate's address.
import { describe, expect, test } from "bun:test";
import { BrokerDirectory } from "../../src/gateway/broker-directory.ts";
import { ResponseRewrites } from "../../src/gateway/passthrough-policy.ts";
import { decodeResponse, encodeResponse } from "../../src/protocol/codec.ts";
import { ApiKey } from "../../src/protocol/messages/api-keys.ts";
import type { FetchResponse } from "../../src/protocol/messages/fetch-response.ts";
import type { ProduceResponse } from "../../src/protocol/messages/produce-response.ts";
import { concatBytes } from "../../src/protocol/wire.ts";

const brokers = new BrokerDirectory({ advertisedHost: "kgate.example", brokerPortBase: 7001, brokerPorts: {}, openBrokerListener: () => Promise.resolve() });
const rewrites = new ResponseRewrites(brokers);

function produceResponse(withEndpoints: boolean): ProduceResponse {
  return {
    responses: [{
      name: "orders",
      topicId: "0123456789abcdef0123456789abcdef",
      partitionResponses: [{
        index: 0,
        errorCode: withEndpoints ? 6 : 0,
        baseOffset: 42n,
        logAppendTimeMs: -1n,
        logStartOffset: 0n,
        recordErrors: [],
        errorMessage: null,
        currentLeader: withEndpoints ? { leaderId: 2, leaderEpoch: 7 } : undefined,
      }],
    }],
    throttleTimeMs: 0,
    nodeEndpoints: withEndpoints ? [{ nodeId: 2, host: "broker-2.internal", port: 9092, rack: null }] : undefined,
  };
}

describe("passthrough Produce/Fetch responses", () => {
  for (const v of [10, 11, 12, 13]) {
    test(`Produce v${v} without NodeEndpoints passes undecoded; with them, addresses are rewritten`, async () => {
      const rewrite = rewrites.for(ApiKey.Produce, v)!;
      expect(rewrite).toBeDefined();
      const plain = concatBytes(encodeResponse(ApiKey.Produce, v, { correlationId: 5 }, produceResponse(false)));
      expect(await rewrite(plain)).toBe(plain);

      const moved = concatBytes(encodeResponse(ApiKey.Produce, v, { correlationId: 6 }, produceResponse(true)));
      const out = await rewrite(moved);
      expect(out).not.toBe(moved);
      const { body } = decodeResponse<ProduceResponse>(concatBytes(out as Uint8Array[]), ApiKey.Produce, v);
      expect(body.nodeEndpoints).toHaveLength(1);
      expect(body.nodeEndpoints![0]!.host).toBe("kgate.example");
      expect(body.nodeEndpoints![0]!.port).toBe(7001 + 2);
      expect(body.responses[0]!.partitionResponses[0]!.baseOffset).toBe(42n);
    });
  }

  test("Fetch v16 without NodeEndpoints passes undecoded (its records are not walked)", async () => {
    const rewrite = rewrites.for(ApiKey.Fetch, 16)!;
    const body: FetchResponse = {
      throttleTimeMs: 0,
      errorCode: 0,
      sessionId: 9,
      responses: [{
        topic: "",
        topicId: "0123456789abcdef0123456789abcdef",
        partitions: [{
          partitionIndex: 0,
          errorCode: 0,
          highWatermark: 10n,
          lastStableOffset: 10n,
          logStartOffset: 0n,
          abortedTransactions: null,
          preferredReadReplica: -1,
          records: new Uint8Array(4096).fill(7),
        }],
      }],
    };
    const frame = concatBytes(encodeResponse(ApiKey.Fetch, 16, { correlationId: 8 }, body));
    expect(await rewrite(frame)).toBe(frame);
  });
});
