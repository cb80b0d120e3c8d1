// In-process cost of kgate's data plane per request, without sockets or a broker: a client
// pipelines Produce requests (one 16 KiB batch each, 5 in flight like a Java producer) to a
// fake broker that answers each at once, once directly and once through a Session with the
// transparent policy (and kgate's internal-topics guard, as serve.ts wires it). The difference
// in CPU time is what the session adds per request: the figure to shrink for the produce
// goal of <= 1 ms CPU per MB. Runs under either runtime:
//   bun scripts/bench-session.ts [requests]      deno run -A scripts/bench-session.ts [requests]
import { BrokerDirectory } from "../src/gateway/broker-directory.ts";
import { InternalTopics } from "../src/gateway/internal-topics.ts";
import { InternalTopicsGuard } from "../src/gateway/internal-topics-guard.ts";
import { PassthroughPolicy, ResponseRewrites } from "../src/gateway/passthrough-policy.ts";
import { Session } from "../src/gateway/session.ts";
import { encodeRequest, encodeResponse } from "../src/protocol/codec.ts";
import { FrameSplitter } from "../src/protocol/frames.ts";
import { ApiKey } from "../src/protocol/messages/api-keys.ts";
import { concatBytes } from "../src/protocol/wire.ts";
import type { Duplex } from "../src/runtime/types.ts";
import { duplexPair } from "../test/support/memory-duplex.ts";

const REQUESTS = Number(globalThis.process?.argv?.[2] ?? (globalThis as { Deno?: { args: string[] } }).Deno?.args[0] ?? 20_000) || 20_000;
const IN_FLIGHT = 5;
const VERSION = 11;
const RECORDS_BYTES = 16 * 1024;

function produceRequest(correlationId: number): Uint8Array {
  return concatBytes(encodeRequest({ apiKey: ApiKey.Produce, apiVersion: VERSION, correlationId, clientId: "producer-1" }, {
    transactionalId: null, acks: 1, timeoutMs: 30_000,
    topicData: [{ name: "orders", topicId: "00000000000000000000000000000000", partitionData: [{ index: 0, records: new Uint8Array(RECORDS_BYTES).fill(1) }] }],
  }));
}

function produceResponse(correlationId: number): Uint8Array {
  return concatBytes(encodeResponse(ApiKey.Produce, VERSION, { correlationId }, {
    responses: [{
      name: "orders", topicId: "00000000000000000000000000000000",
      partitionResponses: [{ index: 0, errorCode: 0, baseOffset: BigInt(correlationId), logAppendTimeMs: -1n, logStartOffset: 0n, recordErrors: [], errorMessage: null }],
    }],
    throttleTimeMs: 0,
  }));
}

/** Answers every request frame with a Produce response of the same correlation id. */
async function fakeBroker(end: Duplex): Promise<void> {
  const writer = end.writable.getWriter();
  const reader = end.readable.getReader();
  const splitter = new FrameSplitter();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    const out: Uint8Array[] = [];
    splitter.push(value, (f) => out.push(produceResponse(new DataView(f.buffer, f.byteOffset).getInt32(8))));
    for (const f of out) void writer.write(f);
  }
}

/** Sends REQUESTS requests with IN_FLIGHT outstanding; resolves when every response arrived. */
async function producer(end: Duplex, frames: Uint8Array[]): Promise<void> {
  const writer = end.writable.getWriter();
  const reader = end.readable.getReader();
  const splitter = new FrameSplitter();
  let sent = 0;
  let received = 0;
  while (sent < IN_FLIGHT) void writer.write(frames[sent++ % frames.length]!);
  while (received < REQUESTS) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`connection ended after ${received} responses`);
    splitter.push(value, () => {
      received++;
      if (sent < REQUESTS) void writer.write(frames[sent++ % frames.length]!);
    });
  }
}

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

async function run(throughSession: boolean): Promise<number> {
  const frames = Array.from({ length: 64 }, (_, i) => produceRequest(i + 1));
  const [app, clientSide] = duplexPair(41000);
  const [upstreamSide, broker] = duplexPair(42000);
  void fakeBroker(broker);
  const start = cpuMs();
  if (throughSession) {
    const brokers = new BrokerDirectory({ advertisedHost: "127.0.0.1", brokerPortBase: 7001, brokerPorts: {}, openBrokerListener: () => Promise.resolve() });
    const policy = new PassthroughPolicy(new ResponseRewrites(brokers), new InternalTopicsGuard(new InternalTopics()));
    const session = new Session(clientSide, policy, {
      maxFrameBytes: 64 << 20, maxQueuedResponseBytes: 16 << 20, maxInFlightRequests: 100, upstreamConnectTimeoutMs: 1000,
      openUpstream: () => Promise.resolve(upstreamSide),
    });
    await producer(app, frames);
    session.close("done");
  } else {
    // Direct: the client's end talks to the broker's through a byte pump (as the kernel would).
    void clientSide.readable.pipeTo(upstreamSide.writable);
    void upstreamSide.readable.pipeTo(clientSide.writable);
    await producer(app, frames);
  }
  return cpuMs() - start;
}

await run(true); // warm-up
const rounds = 3;
let direct = Infinity;
let session = Infinity;
for (let i = 0; i < rounds; i++) {
  direct = Math.min(direct, await run(false));
  session = Math.min(session, await run(true));
}
const perRequest = ((session - direct) * 1000) / REQUESTS;
const mib = (REQUESTS * RECORDS_BYTES) / (1 << 20);
console.log(`${REQUESTS} Produce requests of ${RECORDS_BYTES / 1024} KiB, ${IN_FLIGHT} in flight, best of ${rounds}:`);
console.log(`  direct pump ${direct.toFixed(0)} ms CPU, through a Session ${session.toFixed(0)} ms CPU`);
console.log(`  the session adds ${perRequest.toFixed(1)} µs CPU per request = ${((session - direct) / mib).toFixed(2)} ms per MiB`);
