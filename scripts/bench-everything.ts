// `bun scripts/bench-everything.ts` (or `deno run -A`): what a tenant's request for
// "everything" costs kgate when the backing cluster is shared: the rewrite of a Metadata (all
// topics), ListGroups and DescribeLogDirs (all) response from a backing cluster with 5,000
// topics (3 partitions each) or 5,000 groups, of which the tenant owns 10. The figure is the
// time of the whole response rewrite (decode, filter, strip, encode) as the data plane runs it.
import { BrokerDirectory } from "../src/gateway/broker-directory.ts";
import type { RequestOutcome } from "../src/gateway/session-policy.ts";
import { encodeRequest, encodeResponse } from "../src/protocol/codec.ts";
import { concatBytes } from "../src/protocol/wire.ts";
import { tenantRequest } from "../src/vcluster/tenant-exchange.ts";
import { FetchSessions } from "../src/vcluster/fetch-sessions.ts";
import { Tenant } from "../src/vcluster/tenant.ts";
import { TopicIdDirectory } from "../src/vcluster/topic-id-directory.ts";

const METADATA = 3;
const LIST_GROUPS = 16;
const DESCRIBE_LOG_DIRS = 35;
const TOPICS = 5_000;
const OWNED = 10;
const PARTITIONS = 3;

const tenant = new Tenant("vc-bench", "vc-bench.");
const nameOf = (i: number) => (i % (TOPICS / OWNED) === 0 ? `vc-bench.t${i}` : `vc-other-${i % 50}.t${i}`);
const idOf = (i: number) => i.toString(16).padStart(32, "0");

const deps = {
  topicIds: new TopicIdDirectory(() => Promise.reject(new Error("no lookups in the bench"))),
  brokers: new BrokerDirectory({ advertisedHost: "127.0.0.1", brokerPortBase: 7000, brokerPorts: {}, openBrokerListener: () => Promise.resolve() }),
};

function requestFrame(apiKey: number, version: number, body: unknown): Uint8Array {
  return concatBytes(encodeRequest({ apiKey, apiVersion: version, correlationId: 1, clientId: "bench" }, body));
}

function responseFrame(apiKey: number, version: number, body: unknown): Uint8Array {
  return concatBytes(encodeResponse(apiKey, version, { correlationId: 1 }, body));
}

const cases: Array<{ label: string; apiKey: number; version: number; request: unknown; response: unknown }> = [
  {
    label: `Metadata v12, all topics (${TOPICS} topics x ${PARTITIONS} partitions, ${OWNED} owned)`,
    apiKey: METADATA,
    version: 12,
    request: { topics: null, allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false },
    response: {
      throttleTimeMs: 0,
      brokers: [{ nodeId: 0, host: "10.0.0.1", port: 9092, rack: null }],
      clusterId: "bench",
      controllerId: 0,
      clusterAuthorizedOperations: -2147483648,
      errorCode: 0,
      topics: Array.from({ length: TOPICS }, (_, i) => ({
        errorCode: 0,
        name: nameOf(i),
        topicId: idOf(i + 1),
        isInternal: false,
        topicAuthorizedOperations: -2147483648,
        partitions: Array.from({ length: PARTITIONS }, (_, p) => ({
          errorCode: 0,
          partitionIndex: p,
          leaderId: 0,
          leaderEpoch: 0,
          replicaNodes: [0, 1, 2],
          isrNodes: [0, 1, 2],
          offlineReplicas: [],
        })),
      })),
    },
  },
  {
    label: `ListGroups v5 (${TOPICS} groups, ${OWNED} owned)`,
    apiKey: LIST_GROUPS,
    version: 5,
    request: { statesFilter: [], typesFilter: [] },
    response: {
      throttleTimeMs: 0,
      errorCode: 0,
      groups: Array.from({ length: TOPICS }, (_, i) => ({ groupId: nameOf(i), protocolType: "consumer", groupState: "Stable", groupType: "classic" })),
    },
  },
  {
    label: `DescribeLogDirs v4, all (${TOPICS} topics x ${PARTITIONS} partitions, ${OWNED} owned)`,
    apiKey: DESCRIBE_LOG_DIRS,
    version: 4,
    request: { topics: null },
    response: {
      throttleTimeMs: 0,
      errorCode: 0,
      results: [{
        errorCode: 0,
        logDir: "/var/lib/kafka",
        totalBytes: -1n,
        usableBytes: -1n,
        topics: Array.from({ length: TOPICS }, (_, i) => ({
          name: nameOf(i),
          partitions: Array.from({ length: PARTITIONS }, (_, p) => ({ partitionIndex: p, partitionSize: 1000n, offsetLag: 0n, isFutureKey: false })),
        })),
      }],
    },
  },
];

async function rewriteOf(apiKey: number, version: number, request: unknown) {
  const outcome = (await tenantRequest(requestFrame(apiKey, version, request), { apiKey, apiVersion: version, correlationId: 1 }, tenant, deps, {
    fetchSessions: new FetchSessions(),
  }, false)) as Extract<RequestOutcome, { kind: "forward" }>;
  if (!outcome.rewrite) throw new Error("expected a response rewrite");
  return outcome.rewrite;
}

for (const c of cases) {
  const frame = responseFrame(c.apiKey, c.version, c.response);
  const rewrite = await rewriteOf(c.apiKey, c.version, c.request);
  for (let i = 0; i < 20; i++) await rewrite(frame); // warm-up
  const n = 50;
  const start = performance.now();
  let outBytes = 0;
  for (let i = 0; i < n; i++) {
    const out = await rewrite(frame);
    outBytes = out instanceof Uint8Array ? out.length : out.reduce((a, b) => a + b.length, 0);
  }
  const ms = (performance.now() - start) / n;
  console.log(
    `${c.label.padEnd(78)} ${ms.toFixed(2).padStart(8)} ms/response  (${(frame.length / 1024).toFixed(0)} KiB -> ${(outBytes / 1024).toFixed(1)} KiB)`,
  );
}
