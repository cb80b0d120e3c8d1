// Adversarial data-plane tests against the real broker, with kgate on Bun and on Deno: a tenant
// sends what no Kafka client would (frames packed with items, sprays of random topic ids, fetch
// sessions that name foreign topics) and kgate must stay bounded, fair and closed (invariants
// 1 and 4). Memory is sampled from the kgate process; fairness is another tenant's round trip.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { createConnection, createServer, type Server, type Socket } from "node:net";
import { KafkaConnection } from "../../src/client/kafka-connection.ts";
import { plainClientMessage } from "../../src/sasl/plain.ts";
import { encodeRequest } from "../../src/protocol/codec.ts";
import { concatBytes } from "../../src/protocol/wire.ts";
import { defaultFetchPartition, defaultFetchRequest } from "../../src/protocol/messages/fetch-request.ts";
import type { FetchResponse } from "../../src/protocol/messages/fetch-response.ts";
import { defaultMetadataRequest } from "../../src/protocol/messages/metadata-request.ts";
import type { MetadataResponse } from "../../src/protocol/messages/metadata-response.ts";
import { runtime } from "../../src/runtime/index.ts";
import { kafkaBootstrap } from "../support/kafka.ts";
import { adminCall, type KgateProcess, startKgate, waitForLog } from "../support/kgate-process.ts";

const SASL_HANDSHAKE = 17;
const SASL_AUTHENTICATE = 36;
const DESCRIBE_GROUPS = 15;
const METADATA = 3;
const FETCH = 1;
const CREATE_TOPICS = 19;
const DELETE_TOPICS = 20;
const LIST_GROUPS = 16;
const UNKNOWN_TOPIC_ID = 100;
const FETCH_SESSION_ID_NOT_FOUND = 70;

function randomTopicId(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** One unlabelled counter from kgate's /metrics (NaN when kgate does not export it). */
async function metric(k: KgateProcess, name: string): Promise<number> {
  const res = await fetch(`${k.adminUrl}/metrics`, { headers: { authorization: `Bearer ${k.adminToken}` } });
  const m = new RegExp(`^${name} (\\d+)$`, "m").exec(await res.text());
  return m ? Number(m[1]) : NaN;
}

/**
 * A TCP relay in front of the broker that can be frozen: while frozen it accepts connections
 * and reads from them but forwards nothing either way — a backing cluster that hangs.
 */
class FreezableRelay {
  frozen = false;
  port = 0;
  private server!: Server;
  private readonly sockets = new Set<Socket>();

  constructor(private readonly target: { host: string; port: number }) {}

  async start(): Promise<void> {
    this.server = createServer((client) => {
      const broker = createConnection(this.target);
      for (const s of [client, broker]) {
        this.sockets.add(s);
        s.on("error", () => {});
        s.on("close", () => {
          this.sockets.delete(s);
          client.destroy();
          broker.destroy();
        });
      }
      client.on("data", (d) => void (this.frozen || broker.write(d)));
      broker.on("data", (d) => void (this.frozen || client.write(d)));
    });
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.port = (this.server.address() as { port: number }).port;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Resident set size of a process in KiB (Linux). */
function rssKiB(pid: number): number {
  const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) : 0;
}

/** SaslHandshake + SaslAuthenticate frames for PLAIN, to put in front of hand-built requests. */
function saslFrames(username: string, password: string): Uint8Array[] {
  return [
    concatBytes(encodeRequest({ apiKey: SASL_HANDSHAKE, apiVersion: 1, correlationId: 1, clientId: "raw" }, { mechanism: "PLAIN" })),
    concatBytes(encodeRequest({ apiKey: SASL_AUTHENTICATE, apiVersion: 2, correlationId: 2, clientId: "raw" }, {
      authBytes: plainClientMessage(username, password),
    })),
  ];
}

/**
 * Logs in with SASL/PLAIN over a raw socket and waits for both login answers (a frame beyond
 * Kafka's pre-authentication size limit must not arrive before them), then sends `frame` and
 * waits up to `timeoutMs` for kgate to close the connection.
 */
function rawAfterLogin(port: number, username: string, password: string, frame: Uint8Array, timeoutMs: number): Promise<{ closed: boolean }> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    let pending = Buffer.alloc(0);
    let answers = 0;
    const finish = (closed: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ closed });
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    socket.on("error", () => {});
    socket.on("close", () => finish(true));
    socket.on("connect", () => {
      for (const f of saslFrames(username, password)) socket.write(f);
    });
    socket.on("data", (d: Buffer) => {
      if (answers >= 2) return;
      pending = Buffer.concat([pending, d]);
      while (pending.length >= 4 && pending.length >= 4 + pending.readInt32BE(0)) {
        pending = pending.subarray(4 + pending.readInt32BE(0));
        if (++answers === 2) socket.write(frame);
      }
    });
  });
}

function uvarint(v: number): number[] {
  const out: number[] = [];
  for (; v >= 0x80; v = Math.floor(v / 128)) out.push((v & 0x7f) | 0x80);
  out.push(v);
  return out;
}

/**
 * DescribeGroups v5 whose group array holds `n` one-letter ids and ends right after them: a
 * frame of 2n bytes that asks kgate for n decoded strings. It is cut short on purpose, so that
 * a kgate that does decode it all fails at the end and never bothers the broker with it.
 */
function packedDescribeGroups(n: number): Uint8Array {
  const header = concatBytes(encodeRequest({ apiKey: DESCRIBE_GROUPS, apiVersion: 5, correlationId: 3, clientId: "raw" }, {
    groups: [],
    includeAuthorizedOperations: false,
  }));
  const items = new Uint8Array(n * 2);
  for (let i = 0; i < n; i++) {
    items[2 * i] = 2;
    items[2 * i + 1] = 0x61;
  }
  // The empty body is 3 bytes (array, bool, tags): keep the header, replace the body.
  const frame = concatBytes([header.subarray(0, header.length - 3), new Uint8Array(uvarint(n + 1)), items]);
  new DataView(frame.buffer).setInt32(0, frame.length - 4);
  return frame;
}

/** Creates a one-partition topic and waits for its leader; returns its topic id. */
async function createTopic(conn: KafkaConnection, name: string): Promise<string> {
  const res = await conn.requestUntyped<{ topics: Array<{ errorCode: number; topicId: string }> }>(CREATE_TOPICS, 7, {
    topics: [{ name, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }],
    timeoutMs: 30_000,
    validateOnly: false,
  });
  expect(res.topics[0]!.errorCode).toBe(0);
  for (let i = 0; i < 100; i++) {
    const md = await conn.requestUntyped<MetadataResponse>(METADATA, 12, { ...defaultMetadataRequest(), topics: [{ topicId: "0".repeat(32), name }] });
    if (md.topics[0]?.errorCode === 0 && (md.topics[0].partitions[0]?.leaderId ?? -1) >= 0) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return res.topics[0]!.topicId;
}

function fetchBody(sessionId: number, sessionEpoch: number, topicIds: string[]) {
  return {
    ...defaultFetchRequest(),
    maxWaitMs: 10,
    sessionId,
    sessionEpoch,
    topics: topicIds.map((topicId) => ({ topic: "", topicId, partitions: [{ ...defaultFetchPartition(), partitionMaxBytes: 1 << 20 }] })),
  };
}

/** Another tenant's Metadata round trips while `during` runs: the slowest one, in ms. */
async function slowestRoundTrip(conn: KafkaConnection, during: Promise<unknown>): Promise<{ maxMs: number; count: number }> {
  let running = true;
  void during.finally(() => (running = false));
  let maxMs = 0;
  let count = 0;
  while (running) {
    const started = performance.now();
    await conn.requestUntyped<MetadataResponse>(METADATA, 12, { ...defaultMetadataRequest(), topics: [] });
    maxMs = Math.max(maxMs, performance.now() - started);
    count++;
    await new Promise((r) => setTimeout(r, 10));
  }
  return { maxMs, count };
}

for (const kgateRuntime of ["bun", "deno"] as const) {
  describe(`hardening: data plane (${kgateRuntime})`, () => {
    let kgate: KgateProcess;
    const run = Math.random().toString(36).slice(2, 8);
    const ALICE = `vc-dp-alice-${run}`;
    const BOB = `vc-dp-bob-${run}`;
    let aliceToken = "";
    let bobToken = "";
    const login = (username: string, password: string) =>
      KafkaConnection.open(runtime, [{ host: "127.0.0.1", port: kgate.port }], { sasl: { mechanism: "PLAIN", username, password } });

    // kgate's bootstrap connections (its lookups among them) go through a relay that a test can
    // freeze; connections to kgate's broker port go to the broker directly.
    let relay: FreezableRelay;

    beforeAll(async () => {
      const [host, port] = (await kafkaBootstrap()).split(":");
      relay = new FreezableRelay({ host: host!, port: Number(port) });
      await relay.start();
      // A short backing timeout keeps the hung-lookup test short.
      kgate = await startKgate({ runtime: kgateRuntime, backing: `127.0.0.1:${relay.port}`, config: { limits: { backingTimeoutMs: 3_000 } } });
      for (const vc of [ALICE, BOB]) await adminCall(kgate, "PUT", `/v1/vclusters/${vc}`);
      aliceToken = (await adminCall<{ token: string }>(kgate, "POST", `/v1/vclusters/${ALICE}/tokens`, { username: "alice" })).token;
      bobToken = (await adminCall<{ token: string }>(kgate, "POST", `/v1/vclusters/${BOB}/tokens`, { username: "bob" })).token;
    });
    afterAll(async () => {
      await kgate?.stop();
      await relay?.stop();
    });

    test("a frame of millions of one-byte items is refused at its count: memory bounded, no stall for others", async () => {
      const bob = await login("bob", bobToken);
      try {
        await slowestRoundTrip(bob, Promise.resolve()); // warm up bob's path
        const pid = kgate.child.pid!;
        const before = rssKiB(pid);
        let peak = before;
        const sampler = setInterval(() => (peak = Math.max(peak, rssKiB(pid))), 5);
        const items = 12_000_000;
        const attack = rawAfterLogin(kgate.port, "alice", aliceToken, packedDescribeGroups(items), 60_000);
        const fairness = await slowestRoundTrip(bob, attack);
        const outcome = await attack;
        clearInterval(sampler);
        const growthMiB = (peak - before) / 1024;
        console.log(
          `[${kgateRuntime}] ${items} items (${(items * 2 / 2 ** 20).toFixed(1)} MiB frame): RSS +${growthMiB.toFixed(1)} MiB, ` +
            `bob's slowest round trip ${fairness.maxMs.toFixed(0)} ms over ${fairness.count}`,
        );
        // The frame itself is buffered (about 23 MiB, twice while it is assembled); decoding its
        // twelve million strings takes hundreds of MiB and seconds of kgate's only thread.
        expect(growthMiB).toBeLessThan(150);
        expect(fairness.maxMs).toBeLessThan(1500);
        expect(outcome.closed).toBe(true);
        const logs = await waitForLog(kgate, "DecodeLimitError");
        expect(logs).toMatch(/DecodeLimitError: more than \d+ items/);
      } finally {
        bob.close();
      }
    }, 90_000);

    test("an array count of 2^31-1 in a tiny frame is refused at the count", async () => {
      const header = concatBytes(encodeRequest({ apiKey: DESCRIBE_GROUPS, apiVersion: 5, correlationId: 3, clientId: "raw" }, {
        groups: [],
        includeAuthorizedOperations: false,
      }));
      const frame = concatBytes([header.subarray(0, header.length - 3), new Uint8Array(uvarint(2 ** 31)), new Uint8Array(8)]);
      new DataView(frame.buffer).setInt32(0, frame.length - 4);
      const pid = kgate.child.pid!;
      const before = rssKiB(pid);
      const outcome = await rawAfterLogin(kgate.port, "alice", aliceToken, frame, 10_000);
      expect(outcome.closed).toBe(true);
      expect(await waitForLog(kgate, "array length 2147483647 exceeds frame")).toContain("array length 2147483647 exceeds frame");
      expect((rssKiB(pid) - before) / 1024).toBeLessThan(50);
    });

    test("a spray of random topic ids costs one batched lookup per 250 new ids, and none when repeated", async () => {
      const conns = await Promise.all([0, 1, 2, 3].map(() => login("alice", aliceToken)));
      try {
        const before = await metric(kgate, "kgate_topic_id_lookups_total");
        const sprays = Array.from({ length: 24 }, () => Array.from({ length: 250 }, randomTopicId));
        const byId = (ids: string[]) => ({ ...defaultMetadataRequest(), topics: ids.map((topicId) => ({ topicId, name: null })) });
        // Six requests on each of four connections, all at once: 6,000 ids nobody knows.
        const started = performance.now();
        const first = await Promise.all(sprays.map((ids, i) => conns[i % 4]!.requestUntyped<MetadataResponse>(METADATA, 12, byId(ids))));
        const firstMs = performance.now() - started;
        for (const [i, res] of first.entries()) {
          expect(res.topics.length).toBe(250);
          expect(res.topics.every((t) => t.errorCode === UNKNOWN_TOPIC_ID && sprays[i]!.includes(t.topicId))).toBe(true);
        }
        const afterFirst = await metric(kgate, "kgate_topic_id_lookups_total");
        // The same ids again, by Metadata and by Fetch: answered from the negative cache.
        await Promise.all(sprays.map((ids, i) => conns[i % 4]!.requestUntyped<MetadataResponse>(METADATA, 12, byId(ids))));
        const fetched = await conns[0]!.requestUntyped<FetchResponse>(FETCH, 15, {
          ...defaultFetchRequest(),
          maxWaitMs: 10,
          topics: sprays[0]!.map((topicId) => ({ topic: "", topicId, partitions: [defaultFetchPartition()] })),
        });
        expect(fetched.responses.every((t) => t.partitions.every((p) => p.errorCode === UNKNOWN_TOPIC_ID))).toBe(true);
        const afterRepeat = await metric(kgate, "kgate_topic_id_lookups_total");
        console.log(
          `[${kgateRuntime}] 6,000 random ids in 24 requests: ${afterFirst - before} lookups in ${firstMs.toFixed(0)} ms; ` +
            `repeated (24 Metadata + 1 Fetch): ${afterRepeat - afterFirst} lookups`,
        );
        // At most 250 ids per lookup, and lookups shared by the connections' requests.
        expect(afterFirst - before).toBeGreaterThanOrEqual(24);
        expect(afterFirst - before).toBeLessThanOrEqual(30);
        expect(afterRepeat - afterFirst).toBe(0);
      } finally {
        for (const c of conns) c.close();
      }
    }, 60_000);

    test("Metadata and DeleteTopics for thousands of random ids never reach the broker (whose cost for them is superlinear)", async () => {
      const alice = await login("alice", aliceToken);
      const bob = await login("bob", bobToken);
      try {
        const ids = Array.from({ length: 2_500 }, randomTopicId);
        let started = performance.now();
        const attack = alice.requestUntyped<MetadataResponse>(METADATA, 12, {
          ...defaultMetadataRequest(),
          topics: ids.map((topicId) => ({ topicId, name: null })),
        });
        const fairness = await slowestRoundTrip(bob, attack);
        const res = await attack;
        const metadataMs = performance.now() - started;
        expect(res.topics.map((t) => t.topicId)).toEqual(ids);
        expect(res.topics.every((t) => t.errorCode === UNKNOWN_TOPIC_ID && t.name === null && t.partitions.length === 0)).toBe(true);

        const more = Array.from({ length: 2_500 }, randomTopicId);
        started = performance.now();
        const deleted = await alice.requestUntyped<{ responses: Array<{ topicId: string; errorCode: number }> }>(DELETE_TOPICS, 6, {
          topics: more.map((topicId) => ({ name: null, topicId })),
          topicNames: [],
          timeoutMs: 5_000,
        });
        const deleteMs = performance.now() - started;
        console.log(
          `[${kgateRuntime}] 2,500 random ids: Metadata ${metadataMs.toFixed(0)} ms (bob's slowest round trip meanwhile ` +
            `${fairness.maxMs.toFixed(0)} ms), DeleteTopics ${deleteMs.toFixed(0)} ms`,
        );
        expect(deleted.responses.map((t) => [t.topicId, t.errorCode])).toEqual(more.map((id) => [id, UNKNOWN_TOPIC_ID]));
        // Forwarded, these ids cost the broker seconds each time; the lookups (ten of 250) far less.
        expect(metadataMs).toBeLessThan(4_000);
        expect(deleteMs).toBeLessThan(4_000);
      } finally {
        alice.close();
        bob.close();
      }
    }, 60_000);

    test("Metadata for all topics and ListGroups show the tenant's own only (others dropped while decoding)", async () => {
      const alice = await login("alice", aliceToken);
      const bob = await login("bob", bobToken);
      try {
        const aliceId = await createTopic(alice, `mine-${kgateRuntime}`);
        await createTopic(bob, `theirs-${kgateRuntime}`);
        const all = await alice.requestUntyped<MetadataResponse>(METADATA, 12, { ...defaultMetadataRequest(), topics: null });
        const names = all.topics.map((t) => t.name);
        expect(names).toContain(`mine-${kgateRuntime}`);
        expect(names.every((n) => n !== null && !n.includes(BOB) && !n.startsWith("__"))).toBe(true);
        expect(all.topics.find((t) => t.name === `mine-${kgateRuntime}`)?.topicId).toBe(aliceId);
        const groups = await alice.requestUntyped<{ errorCode: number; groups: Array<{ groupId: string }> }>(LIST_GROUPS, 5, {
          statesFilter: [],
          typesFilter: [],
        });
        expect(groups.errorCode).toBe(0);
        expect(groups.groups.every((g) => !g.groupId.includes("vc-"))).toBe(true);
      } finally {
        alice.close();
        bob.close();
      }
    }, 60_000);

    test("a fetch session carries only ids the tenant sent: foreign ones never, in no later response", async () => {
      const alice = await login("alice", aliceToken);
      const bob = await login("bob", bobToken);
      try {
        const aliceId = await createTopic(alice, `orders-${kgateRuntime}`);
        const bobId = await createTopic(bob, `secret-${kgateRuntime}`);
        const opened = await alice.requestUntyped<FetchResponse>(FETCH, 15, fetchBody(0, 0, [aliceId]));
        expect(opened.errorCode).toBe(0);
        const session = opened.sessionId;
        expect(session).not.toBe(0);
        // Bob's id joins the session in one request; later requests name nothing new.
        const responses = [opened];
        for (let epoch = 1; epoch <= 4; epoch++) {
          responses.push(await alice.requestUntyped<FetchResponse>(FETCH, 15, fetchBody(session, epoch, epoch === 1 ? [bobId] : [])));
        }
        for (const [epoch, res] of responses.entries()) {
          expect(res.errorCode).toBe(0);
          for (const t of res.responses) {
            // Only ids alice sent; bob's only with its error, never with data.
            expect([aliceId, bobId]).toContain(t.topicId);
            if (t.topicId === bobId) {
              expect(epoch).toBe(1);
              expect(t.partitions.every((p) => p.errorCode === UNKNOWN_TOPIC_ID && (p.records?.length ?? 0) === 0)).toBe(true);
            }
          }
        }
        // Closing the session (epoch -1) forgets it: kgate refuses its id from then on.
        await alice.requestUntyped<FetchResponse>(FETCH, 15, fetchBody(session, -1, []));
        const reused = await alice.requestUntyped<FetchResponse>(FETCH, 15, fetchBody(session, 5, []));
        expect(reused.errorCode).toBe(FETCH_SESSION_ID_NOT_FOUND);
      } finally {
        alice.close();
        bob.close();
      }
    }, 60_000);

    test("a connection opening fetch sessions without end keeps a bounded set of them", async () => {
      const alice = await login("alice", aliceToken);
      try {
        const ids: number[] = [];
        for (let i = 0; i < 24; i++) ids.push((await alice.requestUntyped<FetchResponse>(FETCH, 15, fetchBody(0, 0, []))).sessionId);
        expect(ids.every((id) => id !== 0)).toBe(true);
        // The newest is usable; the oldest was dropped by kgate (the broker still holds it).
        expect((await alice.requestUntyped<FetchResponse>(FETCH, 15, fetchBody(ids[23]!, 1, []))).errorCode).toBe(0);
        expect((await alice.requestUntyped<FetchResponse>(FETCH, 15, fetchBody(ids[0]!, 1, []))).errorCode).toBe(FETCH_SESSION_ID_NOT_FOUND);
        for (const id of ids.slice(16)) await alice.requestUntyped<FetchResponse>(FETCH, 15, fetchBody(id, -1, []));
      } finally {
        alice.close();
      }
    }, 60_000);

    test("a topic-id lookup the backing cluster never answers fails the request in bounded time", async () => {
      // Through kgate's port for the broker (as Metadata names it): alice's own requests do not
      // cross the relay, kgate's lookups do.
      const boot = await login("alice", aliceToken);
      const broker = (await boot.requestUntyped<MetadataResponse>(METADATA, 12, { ...defaultMetadataRequest(), topics: [] })).brokers[0]!;
      boot.close();
      const alice = await KafkaConnection.open(runtime, [{ host: broker.host, port: broker.port }], {
        sasl: { mechanism: "PLAIN", username: "alice", password: aliceToken },
      });
      const failuresBefore = await metric(kgate, "kgate_topic_id_lookup_failures_total");
      relay.frozen = true;
      try {
        const id = randomTopicId();
        const started = performance.now();
        const answer = alice.requestUntyped<MetadataResponse>(METADATA, 12, { ...defaultMetadataRequest(), topics: [{ topicId: id, name: null }] });
        const res = await Promise.race([answer, new Promise<null>((r) => setTimeout(() => r(null), 30_000))]);
        const ms = performance.now() - started;
        console.log(`[${kgateRuntime}] Metadata by id with the lookup hung: answered in ${ms.toFixed(0)} ms`);
        expect(res).not.toBeNull();
        expect(res!.topics.map((t) => [t.topicId, t.errorCode])).toEqual([[id, UNKNOWN_TOPIC_ID]]);
        expect(ms).toBeLessThan(15_000);
        expect(await metric(kgate, "kgate_topic_id_lookup_failures_total")).toBe(failuresBefore + 1);
        expect(await waitForLog(kgate, "topic-id lookup of 1 ids failed")).toMatch(/topic-id lookup of 1 ids failed: LookupTimeoutError/);
      } finally {
        relay.frozen = false;
        alice.close();
      }
    }, 60_000);
  });
}
