// Fetch by topic id inside a vcluster: the response of a session whose every id was the
// tenant's passes as received bytes (cut-through); once a session held an id that was swapped
// out, each of its responses is decoded and filtered.
import { describe, expect, test } from "bun:test";
import { BrokerDirectory } from "../../src/gateway/broker-directory.ts";
import type { RequestOutcome } from "../../src/gateway/session-policy.ts";
import { decodeRequest, encodeRequest } from "../../src/protocol/codec.ts";
import { defaultFetchPartition, defaultFetchRequest } from "../../src/protocol/messages/fetch-request.ts";
import { concatBytes } from "../../src/protocol/wire.ts";
import { FetchSessions } from "../../src/vcluster/fetch-sessions.ts";
import { tenantRequest } from "../../src/vcluster/tenant-exchange.ts";
import { Tenant } from "../../src/vcluster/tenant.ts";
import { TopicIdDirectory } from "../../src/vcluster/topic-id-directory.ts";

const FETCH = 1;
const V = 15;
const OWN = "a".repeat(32);
const FOREIGN = "b".repeat(32);
const SESSION = 77;

const tenant = new Tenant("vc-a", "vc-a.");
const topicIds = new TopicIdDirectory(() => Promise.reject(new Error("no lookups here")));
topicIds.learn(OWN, "vc-a.orders");
topicIds.learn(FOREIGN, "vc-b.secret");
const deps = {
  topicIds,
  brokers: new BrokerDirectory({ advertisedHost: "127.0.0.1", brokerPortBase: 7000, brokerPorts: {}, openBrokerListener: () => Promise.resolve() }),
};

function fetchFrame(sessionId: number, sessionEpoch: number, ids: string[]): Uint8Array {
  return concatBytes(encodeRequest({ apiKey: FETCH, apiVersion: V, correlationId: 1, clientId: "t" }, {
    ...defaultFetchRequest(),
    sessionId,
    sessionEpoch,
    topics: ids.map((topicId) => ({ topic: "", topicId, partitions: [defaultFetchPartition()] })),
  }));
}

/** The start of a Fetch v15 response opening `sessionId`. */
function sessionResponseHead(sessionId: number): Uint8Array {
  const b = new Uint8Array(64);
  const view = new DataView(b.buffer);
  view.setInt32(0, 60);
  view.setInt32(4, 1);
  view.setInt32(15, sessionId);
  return b;
}

async function send(conn: { fetchSessions: FetchSessions; fetchMaxBytes?: number }, frame: Uint8Array) {
  return (await tenantRequest(frame, { apiKey: FETCH, apiVersion: V, correlationId: 1 }, tenant, deps, conn, false)) as Extract<
    RequestOutcome,
    { kind: "forward" }
  >;
}

describe("fetch fast path", () => {
  test("a clean session streams; one that held a foreign id is checked from then on", async () => {
    const conn = { fetchSessions: new FetchSessions() };
    const opened = await send(conn, fetchFrame(0, 0, [OWN]));
    expect(opened.kind).toBe("forward");
    expect(opened.rewrite).toBeUndefined();
    opened.onResponseHead!(sessionResponseHead(SESSION));

    const incremental = await send(conn, fetchFrame(SESSION, 1, []));
    expect(incremental.rewrite).toBeUndefined();

    const withForeign = await send(conn, fetchFrame(SESSION, 2, [FOREIGN]));
    expect(withForeign.rewrite).toBeDefined();
    const later = await send(conn, fetchFrame(SESSION, 3, []));
    expect(later.rewrite).toBeDefined();
  });
});

describe("fetch under a fetch quota", () => {
  test("maxBytes is capped to the quota window, as the broker caps it; a smaller one is left alone", async () => {
    const conn = { fetchSessions: new FetchSessions(), fetchMaxBytes: 20_000 };
    const capped = await send(conn, fetchFrame(0, 0, [OWN]));
    const frame = concatBytes([capped.frame].flat());
    expect(decodeRequest<{ maxBytes: number }>(frame).body.maxBytes).toBe(20_000);
    const small = fetchFrame(0, 0, [OWN]);
    const out = await send({ fetchSessions: new FetchSessions(), fetchMaxBytes: 0x7fffffff }, small);
    expect(decodeRequest<{ maxBytes: number }>(concatBytes([out.frame].flat())).body.maxBytes).toBe(decodeRequest<{ maxBytes: number }>(small).body.maxBytes);
  });
});
