// `npm run bench:codec`: decode+encode time of a Produce request and a Fetch response with 1 KiB
// and 1 MiB of record data. Records are views into the frame, so the 1 MiB decode stays near the
// 1 KiB one; encode references them as their own output chunk instead of copying.
import { decodeRequest, decodeResponse, encodeRequest, encodeResponse } from "../src/protocol/codec.ts";
import { defaultFetchResponse } from "../src/protocol/messages/fetch-response.ts";
import { defaultProduceRequest } from "../src/protocol/messages/produce-request.ts";
import { concatBytes } from "../src/protocol/wire.ts";

const PRODUCE = 0;
const FETCH = 1;
const PRODUCE_V = 11;
const FETCH_V = 16;

function produceFrame(recordBytes: number): Uint8Array {
  const body = defaultProduceRequest();
  body.acks = -1;
  body.timeoutMs = 30000;
  body.topicData = [{ name: "bench", topicId: "0".repeat(32), partitionData: [{ index: 0, records: new Uint8Array(recordBytes).fill(7) }] }];
  return concatBytes(encodeRequest({ apiKey: PRODUCE, apiVersion: PRODUCE_V, correlationId: 1, clientId: "bench" }, body));
}

function fetchFrame(recordBytes: number): Uint8Array {
  const body = defaultFetchResponse();
  body.responses = [{
    topic: "bench",
    topicId: "1".repeat(32),
    partitions: [{
      partitionIndex: 0,
      errorCode: 0,
      highWatermark: 100n,
      lastStableOffset: 100n,
      logStartOffset: 0n,
      abortedTransactions: null,
      preferredReadReplica: -1,
      records: new Uint8Array(recordBytes).fill(9),
    }],
  }];
  return concatBytes(encodeResponse(FETCH, FETCH_V, { correlationId: 1 }, body));
}

function time(label: string, iterations: number, fn: () => void): number {
  for (let i = 0; i < Math.min(1000, iterations); i++) fn(); // warm-up
  const start = performance.now();
  for (let i = 0; i < iterations; i++) fn();
  const us = ((performance.now() - start) * 1000) / iterations;
  console.log(`${label.padEnd(44)} ${us.toFixed(2).padStart(9)} µs/op`);
  return us;
}

const N = 20000;
const results: Record<string, number> = {};
for (const size of [1024, 1024 * 1024]) {
  const label = size === 1024 ? "1 KiB" : "1 MiB";
  const produce = produceFrame(size);
  const fetch = fetchFrame(size);
  results[`produce decode ${label}`] = time(`Produce v${PRODUCE_V} request decode, ${label}`, N, () => void decodeRequest(produce));
  const pr = decodeRequest(produce);
  results[`produce encode ${label}`] = time(`Produce v${PRODUCE_V} request encode, ${label}`, N, () => void encodeRequest(pr.header, pr.body));
  results[`fetch decode ${label}`] = time(`Fetch v${FETCH_V} response decode, ${label}`, N, () => void decodeResponse(fetch, FETCH, FETCH_V));
  const fr = decodeResponse(fetch, FETCH, FETCH_V);
  results[`fetch encode ${label}`] = time(`Fetch v${FETCH_V} response encode, ${label}`, N, () => void encodeResponse(FETCH, FETCH_V, fr.header, fr.body));
}
const ratio = (a: string, b: string) => (results[a]! / results[b]!).toFixed(2);
console.log(
  `\n1 MiB / 1 KiB time ratio: produce decode ${ratio("produce decode 1 MiB", "produce decode 1 KiB")}, fetch decode ${
    ratio("fetch decode 1 MiB", "fetch decode 1 KiB")
  }, produce encode ${ratio("produce encode 1 MiB", "produce encode 1 KiB")}, fetch encode ${ratio("fetch encode 1 MiB", "fetch encode 1 KiB")}`,
);
console.log("(a ratio near 1 means the record bytes were not copied)");
