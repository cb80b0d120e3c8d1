// In-process cost of kgate's data plane per request, without sockets or a broker: a client
// pipelines Produce requests (one 16 KiB batch each, 5 in flight like a Java producer) to a
// fake broker that answers each at once, once directly and once through a Session with the
// transparent policy (and kgate's internal-topics guard, as serve.ts wires it). The difference
// in CPU time is what the session adds per request: the figure to shrink for the produce
// goal of <= 1 ms CPU per MB. The same through a vcluster (a pinned listener: no login; the
// topic named by the tenant, prefixed on the way). Runs under either runtime:
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
import type { ApiVersionsResponse } from "../src/protocol/messages/api-versions-response.ts";
import { Tenant } from "../src/vcluster/tenant.ts";
import { TopicIdDirectory } from "../src/vcluster/topic-id-directory.ts";
import { VclusterPolicy, type VclusterPolicyDeps } from "../src/vcluster/vcluster-policy.ts";
import type { SessionPolicy } from "../src/gateway/session-policy.ts";

const REQUESTS = Number(globalThis.process?.argv?.[2] ?? (globalThis as { Deno?: { args: string[] } }).Deno?.args[0] ?? 20_000) || 20_000;
const IN_FLIGHT = 5;
const VERSION = Number(globalThis.process?.env?.PRODUCE_VERSION ?? 11);
const RECORDS_BYTES = 16 * 1024;
/** From v13 Produce names topics by id (the vcluster's directory knows it as bench.orders). */
const TOPIC_ID = "0123456789abcdef0123456789abcdef";

function produceRequest(correlationId: number): Uint8Array {
  return concatBytes(encodeRequest({ apiKey: ApiKey.Produce, apiVersion: VERSION, correlationId, clientId: "producer-1" }, {
    transactionalId: null,
    acks: 1,
    timeoutMs: 30_000,
    topicData: [{ name: "orders", topicId: TOPIC_ID, partitionData: [{ index: 0, records: new Uint8Array(RECORDS_BYTES).fill(1) }] }],
  }));
}

let brokerTopic = "orders";

function produceResponse(correlationId: number): Uint8Array {
  return concatBytes(encodeResponse(ApiKey.Produce, VERSION, { correlationId }, {
    responses: [{
      name: brokerTopic,
      topicId: TOPIC_ID,
      partitionResponses: [{
        index: 0,
        errorCode: 0,
        baseOffset: BigInt(correlationId),
        logAppendTimeMs: -1n,
        logStartOffset: 0n,
        recordErrors: [],
        errorMessage: null,
      }],
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

const brokers = () => new BrokerDirectory({ advertisedHost: "127.0.0.1", brokerPortBase: 7001, brokerPorts: {}, openBrokerListener: () => Promise.resolve() });

function passthroughPolicy(): SessionPolicy {
  return new PassthroughPolicy(new ResponseRewrites(brokers()), new InternalTopicsGuard(new InternalTopics()));
}

/** A vcluster "bench" whose listener is pinned to it: every connection is the tenant's at once. */
function vclusterPolicy(): SessionPolicy {
  const directory = brokers();
  const tenant = new Tenant("bench", "bench.", () => []);
  const topicIds = new TopicIdDirectory(() => Promise.resolve({ topics: [] }));
  topicIds.learn(TOPIC_ID, "bench.orders");
  const deps: VclusterPolicyDeps = {
    authenticate: () => Promise.resolve({ ok: false, reason: "pinned" }),
    authenticateBearer: () => Promise.resolve({ ok: false, reason: "pinned" }),
    scramAccount: () => undefined,
    tenantFor: (name) => (name === "bench" ? tenant : null),
    vclusterGeneration: () => "1",
    identityProblem: () => null,
    listenerViews: () => ({ pinned: "bench" }),
    backingApiVersions: () => Promise.resolve({ errorCode: 0, apiKeys: [], throttleTimeMs: 0 } as unknown as ApiVersionsResponse),
    certificate: null,
    failedAuthenticationDelayMs: 0,
    maxPreAuthFrameBytes: 524_288,
    topicIds,
    brokers: directory,
    rewrites: new ResponseRewrites(directory),
    clock: () => Date.now(),
    log: () => {},
  } as VclusterPolicyDeps;
  return new VclusterPolicy(deps);
}

async function run(throughSession: boolean, policyFor: () => SessionPolicy = passthroughPolicy): Promise<number> {
  const frames = Array.from({ length: 64 }, (_, i) => produceRequest(i + 1));
  const [app, clientSide] = duplexPair(41000);
  const [upstreamSide, broker] = duplexPair(42000);
  void fakeBroker(broker);
  const start = cpuMs();
  if (throughSession) {
    const session = new Session(clientSide, policyFor(), {
      maxFrameBytes: 64 << 20,
      maxQueuedResponseBytes: 16 << 20,
      maxInFlightRequests: 100,
      upstreamConnectTimeoutMs: 1000,
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

const rounds = 3;
const mib = (REQUESTS * RECORDS_BYTES) / (1 << 20);
console.log(`${REQUESTS} Produce v${VERSION} requests of ${RECORDS_BYTES / 1024} KiB, ${IN_FLIGHT} in flight, best of ${rounds}:`);
const only = globalThis.process?.argv?.[3] ?? (globalThis as { Deno?: { args: string[] } }).Deno?.args[1];
for (const [name, policyFor] of [["passthrough", passthroughPolicy], ["vcluster", vclusterPolicy]] as const) {
  if (only !== undefined && only !== name) continue;
  brokerTopic = name === "vcluster" ? "bench.orders" : "orders";
  await run(true, policyFor); // warm-up
  let direct = Infinity;
  let session = Infinity;
  for (let i = 0; i < rounds; i++) {
    direct = Math.min(direct, await run(false));
    session = Math.min(session, await run(true, policyFor));
  }
  const perRequest = ((session - direct) * 1000) / REQUESTS;
  console.log(
    `  ${name.padEnd(11)} direct pump ${direct.toFixed(0)} ms CPU, through a Session ${session.toFixed(0)} ms CPU: ` +
      `+${perRequest.toFixed(1)} µs per request = ${((session - direct) / mib).toFixed(2)} ms per MiB`,
  );
}
