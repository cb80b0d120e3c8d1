// `bun scripts/micro-tenant-exchange.ts` (or `deno run -A`): the vcluster data plane's own cost
// for one ordinary request and its response, without sockets: tenantRequest on the client's
// frame, then the response rewrite on the broker's frame. Cases: Fetch v12 (by name, 4 topics x
// 4 partitions, 1 KiB of records each), Metadata v12 (5 topics by name), Produce v9 (1 topic),
// Heartbeat v4.
import process from "node:process";
import { BrokerDirectory } from "../src/gateway/broker-directory.ts";
import type { RequestOutcome } from "../src/gateway/session-policy.ts";
import { encodeRequest, encodeResponse } from "../src/protocol/codec.ts";
import { ApiKey } from "../src/protocol/messages/api-keys.ts";
import { defaultFetchPartition, defaultFetchRequest } from "../src/protocol/messages/fetch-request.ts";
import { defaultFetchResponse, defaultPartitionData } from "../src/protocol/messages/fetch-response.ts";
import { defaultMetadataRequest } from "../src/protocol/messages/metadata-request.ts";
import { defaultMetadataResponse, defaultMetadataResponsePartition, defaultMetadataResponseTopic } from "../src/protocol/messages/metadata-response.ts";
import { concatBytes } from "../src/protocol/wire.ts";
import { FetchSessions } from "../src/vcluster/fetch-sessions.ts";
import { tenantRequest } from "../src/vcluster/tenant-exchange.ts";
import { Tenant } from "../src/vcluster/tenant.ts";
import { TopicIdDirectory } from "../src/vcluster/topic-id-directory.ts";

const tenant = new Tenant("vc-bench", "vc-bench.");
const topicIds = new TopicIdDirectory(() => Promise.reject(new Error("no lookups in the bench")));
const deps = {
  topicIds,
  brokers: new BrokerDirectory({ advertisedHost: "127.0.0.1", brokerPortBase: 7000, brokerPorts: {}, openBrokerListener: () => Promise.resolve() }),
};
const idOf = (i: number) => (i + 1).toString(16).padStart(32, "0");
const names = Array.from({ length: 5 }, (_, i) => `t${i}`);
names.forEach((n, i) => topicIds.learn(idOf(i), `vc-bench.${n}`));

const records = new Uint8Array(1024);
const cases: Array<{ label: string; apiKey: number; version: number; request: unknown; response: unknown }> = [
  {
    label: "Fetch v12, 4 topics x 4 partitions by name",
    apiKey: ApiKey.Fetch,
    version: 12,
    request: {
      ...defaultFetchRequest(),
      maxWaitMs: 500,
      topics: names.slice(0, 4).map((topic) => ({
        topic,
        topicId: idOf(0),
        partitions: [0, 1, 2, 3].map((p) => ({ ...defaultFetchPartition(), partition: p })),
      })),
    },
    response: {
      ...defaultFetchResponse(),
      responses: names.slice(0, 4).map((n) => ({
        topic: `vc-bench.${n}`,
        topicId: idOf(0),
        partitions: [0, 1, 2, 3].map((p) => ({ ...defaultPartitionData(), partitionIndex: p, highWatermark: 100n, records })),
      })),
    },
  },
  {
    label: "Metadata v12, 5 topics by name",
    apiKey: ApiKey.Metadata,
    version: 12,
    request: { ...defaultMetadataRequest(), topics: names.map((name) => ({ name, topicId: "0".repeat(32) })) },
    response: {
      ...defaultMetadataResponse(),
      brokers: [{ nodeId: 0, host: "10.0.0.1", port: 9092, rack: null }],
      clusterId: "bench",
      topics: names.map((n, i) => ({
        ...defaultMetadataResponseTopic(),
        name: `vc-bench.${n}`,
        topicId: idOf(i),
        partitions: [0, 1, 2].map((p) => ({ ...defaultMetadataResponsePartition(), partitionIndex: p, replicaNodes: [0], isrNodes: [0] })),
      })),
    },
  },
  {
    label: "Produce v9, 1 topic x 1 partition (acks=1)",
    apiKey: ApiKey.Produce,
    version: 9,
    request: { transactionalId: null, acks: 1, timeoutMs: 1000, topicData: [{ name: "t0", partitionData: [{ index: 0, records }] }] },
    response: {
      responses: [{
        name: "vc-bench.t0",
        partitionResponses: [{ index: 0, errorCode: 0, baseOffset: 1n, logAppendTimeMs: -1n, logStartOffset: 0n, recordErrors: [], errorMessage: null }],
      }],
      throttleTimeMs: 0,
    },
  },
  {
    label: "Heartbeat v4",
    apiKey: ApiKey.Heartbeat,
    version: 4,
    request: { groupId: "g", generationId: 1, memberId: "member-1", groupInstanceId: null },
    response: { throttleTimeMs: 0, errorCode: 0 },
  },
];

async function exchange(request: Uint8Array, response: Uint8Array, apiKey: number, version: number): Promise<void> {
  const outcome =
    (await tenantRequest(request, { apiKey, apiVersion: version, correlationId: 1 }, tenant, deps, { fetchSessions: new FetchSessions() }, false)) as Extract<
      RequestOutcome,
      { kind: "forward" }
    >;
  if (outcome.kind !== "forward") throw new Error(`expected a forward, got ${outcome.kind}`);
  if (outcome.rewrite) await outcome.rewrite(response);
}

for (const c of cases) {
  const request = concatBytes(encodeRequest({ apiKey: c.apiKey, apiVersion: c.version, correlationId: 1, clientId: "bench" }, c.request));
  const response = concatBytes(encodeResponse(c.apiKey, c.version, { correlationId: 1 }, c.response));
  for (let i = 0; i < 2_000; i++) await exchange(request, response, c.apiKey, c.version); // warm-up
  // The best of several rounds, in CPU time of this process: the machine is shared, and wall
  // time counts the others' work too.
  const n = 4_000;
  let best = Infinity;
  for (let round = 0; round < 7; round++) {
    const start = process.cpuUsage();
    for (let i = 0; i < n; i++) await exchange(request, response, c.apiKey, c.version);
    const used = process.cpuUsage(start);
    best = Math.min(best, (used.user + used.system) / n);
  }
  console.log(`${c.label.padEnd(48)} ${best.toFixed(2).padStart(8)} µs CPU/exchange (best of 7 x ${n})`);
}
