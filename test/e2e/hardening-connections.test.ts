// Attacks on kgate's connection model, against the real broker, with kgate under Bun and Deno:
// who gets the backing view, what an unauthenticated or non-reading client costs, timeouts,
// connection limits, the failed-login delay, a hanging backing cluster, and half-closed clients.
// Raw-protocol clients where no real client would send the attack.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { connect, createServer, type Server, type Socket } from "node:net";
import { Kafka, logLevel } from "kafkajs";
import { KafkaConnection } from "../../src/client/kafka-connection.ts";
import { encodeRequest } from "../../src/protocol/codec.ts";
import { defaultDescribeAclsRequest } from "../../src/protocol/messages/describe-acls-request.ts";
import { defaultFetchPartition, defaultFetchRequest, defaultFetchTopic } from "../../src/protocol/messages/fetch-request.ts";
import { defaultMetadataRequest } from "../../src/protocol/messages/metadata-request.ts";
import type { MetadataResponse } from "../../src/protocol/messages/metadata-response.ts";
import { runtime } from "../../src/runtime/index.ts";
import { kafkaBootstrap } from "../support/kafka.ts";
import { adminCall, type KgateProcess, startKgate, waitForLog } from "../support/kgate-process.ts";
import { apiVersionsV0, rawConversation, requestFrame } from "../support/raw-socket.ts";
import { rssBytes } from "../support/wait.ts";

const run = Date.now().toString(36);
const MiB = 1024 * 1024;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A TCP relay to the real broker that counts the connections kgate opens to it. */
async function countingRelay(target: string): Promise<{ address: string; accepted: () => number; close(): void }> {
  const [host, port] = target.split(":");
  let accepted = 0;
  const sockets = new Set<Socket>();
  const server = createServer((inbound) => {
    accepted++;
    const outbound = connect(Number(port), host!);
    sockets.add(inbound).add(outbound);
    inbound.pipe(outbound).pipe(inbound);
    const drop = () => {
      inbound.destroy();
      outbound.destroy();
    };
    inbound.on("error", drop).on("close", drop);
    outbound.on("error", drop).on("close", drop);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const a = server.address() as { port: number };
  return {
    address: `127.0.0.1:${a.port}`,
    accepted: () => accepted,
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

/** A "broker" that accepts connections and never answers: every wait on it must time out. */
async function blackHole(): Promise<{ address: string; server: Server }> {
  const server = createServer(() => {});
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { address: `127.0.0.1:${(server.address() as { port: number }).port}`, server };
}

/** A SaslHandshake v1 request for PLAIN: kgate answers it itself, without the broker. */
function plainHandshake(correlationId: number): Uint8Array {
  const mechanism = Buffer.from("PLAIN");
  const body = Buffer.alloc(2 + mechanism.length);
  body.writeInt16BE(mechanism.length, 0);
  mechanism.copy(body, 2);
  return requestFrame(17, 1, correlationId, body);
}

/** Reads one whole response frame from `s`. */
function readFrame(s: Socket): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let got = Buffer.alloc(0);
    const timer = setTimeout(() => reject(new Error("no response within 10 s")), 10_000);
    const onData = (b: Buffer) => {
      got = Buffer.concat([got, b]);
      if (got.length >= 4 && got.length >= 4 + got.readInt32BE(0)) {
        clearTimeout(timer);
        s.off("data", onData);
        resolve(got);
      }
    };
    s.on("data", onData);
  });
}

/** SaslHandshake v1 (PLAIN) and SaslAuthenticate v1 on a raw socket; throws unless the login worked. */
async function rawLogin(s: Socket, username: string, password: string): Promise<void> {
  s.write(plainHandshake(1));
  await readFrame(s);
  const auth = Buffer.from(`\0${username}\0${password}`);
  const body = Buffer.alloc(4 + auth.length);
  body.writeInt32BE(auth.length, 0);
  auth.copy(body, 4);
  s.write(requestFrame(36, 1, 2, body));
  const res = await readFrame(s);
  if (res.readInt16BE(8) !== 0) throw new Error(`raw login failed with error code ${res.readInt16BE(8)}`);
}

/** Opens a socket and resolves once it is connected. */
function openSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, "127.0.0.1", () => resolve(s));
    s.on("error", reject);
  });
}

function closedWithin(s: Socket, ms: number): Promise<boolean> {
  if (s.destroyed || s.readableEnded) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    const done = () => {
      clearTimeout(timer);
      resolve(true);
    };
    s.once("close", done);
    s.once("end", done);
    s.on("error", () => {});
  });
}

/** Times an ApiVersions round trip on a fresh connection (another client, while an attack runs). */
async function apiVersionsRoundTripMs(port: number): Promise<number> {
  const t0 = performance.now();
  const s = await openSocket(port);
  const answer = readFrame(s);
  s.write(apiVersionsV0(1));
  await answer;
  s.destroy();
  return performance.now() - t0;
}

for (const kgateRuntime of ["bun", "deno"] as const) {
  describe(`hardening: who gets the backing view (${kgateRuntime})`, () => {
    let kgate: KgateProcess;
    const open = () => KafkaConnection.open(runtime, [{ host: "127.0.0.1", port: kgate.port }]);
    const metadata = (c: KafkaConnection) => c.requestUntyped<MetadataResponse>(3, 12, { ...defaultMetadataRequest(), topics: null });

    beforeAll(async () => {
      kgate = await startKgate({ runtime: kgateRuntime, backing: await kafkaBootstrap() });
    });
    afterAll(async () => {
      await kgate.stop();
    });

    test("a first run on an empty store is a transparent proxy and says so", async () => {
      const c = await open();
      expect((await metadata(c)).brokers.length).toBeGreaterThan(0);
      c.close();
      expect(await waitForLog(kgate, "transparent proxy")).toContain("transparent proxy: this store has never held a virtual cluster");
    });

    test("a passthrough connection is closed when tenancy begins, and deleting the last vcluster does not reopen the backing view", async () => {
      const c = await open();
      await metadata(c);
      const vc = `vc-tenancy-${kgateRuntime}-${run}`;
      await adminCall(kgate, "PUT", `/v1/vclusters/${vc}`);
      for (let i = 0; i < 60 && !c.closed; i++) {
        await metadata(c).catch(() => {});
        await sleep(50);
      }
      expect(c.closed).toBe(true);
      expect(await waitForLog(kgate, "transparent proxy view has ended")).toContain("transparent proxy view has ended");

      await adminCall(kgate, "DELETE", `/v1/vclusters/${vc}`);
      const later = await open();
      await expect(metadata(later)).rejects.toThrow();
      later.close();
      expect(await waitForLog(kgate, "authentication required: Metadata")).toContain("authentication required: Metadata");
    });
  });

  describe(`hardening: listener pinned to a missing vcluster (${kgateRuntime})`, () => {
    let kgate: KgateProcess;
    const real = `vc-real-${kgateRuntime}-${run}`;
    beforeAll(async () => {
      kgate = await startKgate({
        runtime: kgateRuntime,
        backing: await kafkaBootstrap(),
        config: { listener: { host: "127.0.0.1", advertisedHost: "127.0.0.1", pinnedVcluster: `vc-ghost-${run}` }, vclusters: [{ name: real }] },
      });
    });
    afterAll(async () => {
      await kgate.stop();
    });

    test("refuses unauthenticated clients and logins into any other vcluster", async () => {
      const anon = await KafkaConnection.open(runtime, [{ host: "127.0.0.1", port: kgate.port }]);
      await expect(anon.request(3, 12, { ...defaultMetadataRequest(), topics: null })).rejects.toThrow();
      anon.close();
      const { token } = await adminCall<{ token: string }>(kgate, "POST", `/v1/vclusters/${real}/tokens`, { username: "alice" });
      const login = KafkaConnection.open(runtime, [{ host: "127.0.0.1", port: kgate.port }], {
        sasl: { mechanism: "PLAIN", username: "alice", password: token },
      });
      await expect(login).rejects.toThrow();
      expect(await waitForLog(kgate, "which does not exist")).toContain(`pinned to vcluster vc-ghost-${run}, which does not exist`);
    });
  });

  describe(`hardening: bounded cost per connection (${kgateRuntime})`, () => {
    let kgate: KgateProcess;
    let relay: Awaited<ReturnType<typeof countingRelay>>;
    const vc = `vc-bounded-${kgateRuntime}-${run}`;
    let token = "";

    beforeAll(async () => {
      relay = await countingRelay(await kafkaBootstrap());
      kgate = await startKgate({
        runtime: kgateRuntime,
        backing: relay.address,
        config: {
          vclusters: [{ name: vc }],
          limits: {
            authenticationTimeoutMs: 1500,
            connectionsMaxIdleMs: 4000,
            failedAuthenticationDelayMs: 600,
            maxConnectionsPerAddress: 40,
          },
        },
      });
      ({ token } = await adminCall<{ token: string }>(kgate, "POST", `/v1/vclusters/${vc}/tokens`, { username: "bounded" }));
    });
    afterAll(async () => {
      await kgate.stop();
      relay.close();
    });

    test("unauthenticated clients open no backing connection", async () => {
      const before = relay.accepted();
      const outcomes = await Promise.all(
        Array.from({ length: 30 }, () => rawConversation("127.0.0.1", kgate.port, [apiVersionsV0(1)], { timeoutMs: 800 })),
      );
      for (const o of outcomes) expect(o.received.length).toBeGreaterThan(8); // each got its ApiVersions answer
      const opened = relay.accepted() - before;
      console.log(`[${kgateRuntime}] backing connections for 30 unauthenticated clients: ${opened}`);
      expect(opened).toBeLessThanOrEqual(1); // at most kgate's own lookup connection
    });

    test("a client that never reads its responses is muted: memory stays bounded and others are served", async () => {
      const pid = kgate.child.pid!;
      const attacker = await openSocket(kgate.port);
      attacker.on("error", () => {});
      await rawLogin(attacker, "bounded", token);
      attacker.pause(); // from now on, never read
      const before = rssBytes(pid);
      // DescribeAcls inside a vcluster is answered by kgate itself (from its store), never forwarded.
      const refused = encodeRequest({ apiKey: 29, apiVersion: 1, correlationId: 9, clientId: "flood" }, defaultDescribeAclsRequest());
      const one = Buffer.concat(refused);
      const burst = Buffer.concat(Array.from({ length: 256 }, () => one));
      let sent = 0;
      let attacking = true;
      const roundTrips: number[] = [];
      const probe = (async () => {
        while (attacking) {
          roundTrips.push(await apiVersionsRoundTripMs(kgate.port));
          await sleep(250);
        }
      })();
      const deadline = Date.now() + 5000;
      while (Date.now() < deadline && !attacker.destroyed) {
        if (attacker.write(burst)) {
          sent += burst.length;
          await new Promise((r) => setImmediate(r)); // let the probe run in this process too
        } else {
          await Promise.race([new Promise((r) => attacker.once("drain", r)), sleep(200)]);
        }
      }
      attacking = false;
      await probe;
      const worst = Math.max(...roundTrips);
      const after = rssBytes(pid);
      const open = !attacker.destroyed;
      attacker.destroy();
      console.log(
        `[${kgateRuntime}] non-reading client: wrote ${(sent / MiB).toFixed(1)} MiB of requests in 5 s; kgate RSS ${(before / MiB).toFixed(0)} -> ${
          (after / MiB).toFixed(0)
        } MiB; other client's worst of ${roundTrips.length} round trips ${worst.toFixed(0)} ms`,
      );
      expect(open).toBe(true); // muted, not dropped: it is a legal client that reads slowly
      // Wide: V8 collects the garbage of ~10^5 answered requests lazily; unbounded growth is GBs.
      expect(after - before).toBeLessThan(256 * MiB);
      expect(worst).toBeLessThan(2000);
    });

    test("repeated SASL handshakes before authentication close the connection (as Kafka's authenticator does)", async () => {
      const burst = Buffer.concat(Array.from({ length: 100 }, (_, i) => plainHandshake(i)));
      const out = await rawConversation("127.0.0.1", kgate.port, [burst], { timeoutMs: 3000 });
      expect(out.closed).toBe(true);
      expect(await waitForLog(kgate, "SaslHandshake repeated before SaslAuthenticate")).toContain("SaslHandshake repeated before SaslAuthenticate");
    });

    test("before authentication a frame over 512 KiB closes the connection", async () => {
      const prefix = Buffer.alloc(4);
      prefix.writeInt32BE(600 * 1024);
      const out = await rawConversation("127.0.0.1", kgate.port, [prefix, Buffer.alloc(1024)], { timeoutMs: 3000 });
      expect(out.closed).toBe(true);
      expect(await waitForLog(kgate, "exceeds maximum 524288")).toContain("exceeds maximum 524288");
    });

    test("a client that does not authenticate in time is closed", async () => {
      const t0 = performance.now();
      const out = await rawConversation("127.0.0.1", kgate.port, [apiVersionsV0(1)], { timeoutMs: 6000 });
      const ms = performance.now() - t0;
      console.log(`[${kgateRuntime}] unauthenticated connection closed after ${ms.toFixed(0)} ms (timeout 1500)`);
      expect(out.closed).toBe(true);
      expect(ms).toBeGreaterThan(1000);
      expect(await waitForLog(kgate, "authentication not completed within 1500 ms")).toContain("authentication not completed within 1500 ms");
    });

    test("an idle authenticated connection is closed after connections.max.idle.ms", async () => {
      const c = await KafkaConnection.open(runtime, [{ host: "127.0.0.1", port: kgate.port }], {
        sasl: { mechanism: "PLAIN", username: "bounded", password: token },
      });
      await c.request(3, 12, { ...defaultMetadataRequest(), topics: null });
      for (let i = 0; i < 80 && !c.closed; i++) await sleep(100);
      expect(c.closed).toBe(true);
      expect(await waitForLog(kgate, "idle for more than 4000 ms")).toContain("idle for more than 4000 ms");
    });

    test("a failed login is answered only after the configured delay", async () => {
      const t0 = performance.now();
      const login = KafkaConnection.open(runtime, [{ host: "127.0.0.1", port: kgate.port }], {
        sasl: { mechanism: "PLAIN", username: "bounded", password: "not-the-token" },
      });
      await expect(login).rejects.toThrow();
      const ms = performance.now() - t0;
      console.log(`[${kgateRuntime}] failed login answered after ${ms.toFixed(0)} ms (delay 600)`);
      expect(ms).toBeGreaterThanOrEqual(550);
    });

    test("connections beyond the per-address limit are refused", async () => {
      await sleep(1600); // earlier tests' unauthenticated connections are gone (authentication timeout)
      const sockets = await Promise.all(Array.from({ length: 45 }, () => openSocket(kgate.port)));
      const closed = await Promise.all(sockets.map((s) => closedWithin(s, 1000)));
      for (const s of sockets) s.destroy();
      const refused = closed.filter(Boolean).length;
      console.log(`[${kgateRuntime}] 45 connections from one address, limit 40: ${refused} refused`);
      expect(refused).toBeGreaterThanOrEqual(5);
      expect(refused).toBeLessThan(45);
      expect(await waitForLog(kgate, "limits.maxConnectionsPerAddress")).toContain("limits.maxConnectionsPerAddress");
    });
  });

  describe(`hardening: a backing cluster that hangs (${kgateRuntime})`, () => {
    let kgate: KgateProcess;
    let hole: Awaited<ReturnType<typeof blackHole>>;
    beforeAll(async () => {
      hole = await blackHole();
      kgate = await startKgate({
        runtime: kgateRuntime,
        backing: hole.address,
        config: {
          backing: { bootstrapServers: [hole.address], sasl: { mechanism: "PLAIN", username: "gateway", password: "gateway-secret" } },
          limits: { backingTimeoutMs: 1500 },
        },
      });
    });
    afterAll(async () => {
      await kgate.stop();
      hole.server.close();
    });

    test("a request that needs a hanging backing connection fails with a Kafka error in bounded time", async () => {
      const t0 = performance.now();
      const out = await rawConversation("127.0.0.1", kgate.port, [apiVersionsV0(7)], { timeoutMs: 8000 });
      const ms = performance.now() - t0;
      console.log(`[${kgateRuntime}] hanging backing: answered and closed after ${ms.toFixed(0)} ms`);
      expect(out.closed).toBe(true);
      // size, correlation id 7, then ApiVersions' error code: NETWORK_EXCEPTION (13)
      expect(out.received.length).toBeGreaterThanOrEqual(10);
      expect(out.received.readInt32BE(4)).toBe(7);
      expect(out.received.readInt16BE(8)).toBe(13);
      expect(await waitForLog(kgate, "backing cluster unavailable")).toContain("backing connection not ready within 1500 ms");
    });
  });

  describe(`hardening: half-close (${kgateRuntime})`, () => {
    let kgate: KgateProcess;
    const topic = `half-close-${kgateRuntime}-${run}`;
    beforeAll(async () => {
      const backing = await kafkaBootstrap();
      kgate = await startKgate({ runtime: kgateRuntime, backing });
      const kafka = new Kafka({ clientId: "seed", brokers: [backing], logLevel: logLevel.NOTHING });
      const admin = kafka.admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
      await admin.disconnect();
      const producer = kafka.producer();
      await producer.connect();
      const value = Buffer.alloc(64 * 1024, 7);
      for (let i = 0; i < 8; i++) await producer.send({ topic, messages: Array.from({ length: 8 }, () => ({ value })) });
      await producer.disconnect();
    });
    afterAll(async () => {
      await kgate.stop();
    });

    test("every response to requests sent before the client's FIN reaches it", async () => {
      const requests = 8;
      const frames: Uint8Array[] = [];
      for (let i = 0; i < requests; i++) {
        const partition = { ...defaultFetchPartition(), partition: 0, fetchOffset: 0n, partitionMaxBytes: 8 * MiB };
        const body = {
          ...defaultFetchRequest(),
          maxWaitMs: 0,
          minBytes: 1,
          maxBytes: 8 * MiB,
          topics: [{ ...defaultFetchTopic(), topic, partitions: [partition] }],
        };
        frames.push(...encodeRequest({ apiKey: 1, apiVersion: 4, correlationId: 100 + i, clientId: "half-close" }, body));
      }
      const out = await rawConversation("127.0.0.1", kgate.port, [Buffer.concat(frames)], { timeoutMs: 15_000, endAfterWrite: true });
      const ids: number[] = [];
      for (let off = 0; off + 8 <= out.received.length;) {
        const size = out.received.readInt32BE(off);
        if (off + 4 + size > out.received.length) break;
        ids.push(out.received.readInt32BE(off + 4));
        off += 4 + size;
      }
      console.log(`[${kgateRuntime}] half-closed client: ${ids.length} of ${requests} responses, ${(out.received.length / MiB).toFixed(1)} MiB`);
      expect(ids).toEqual(Array.from({ length: requests }, (_, i) => 100 + i));
      expect(out.closed).toBe(true);
    });
  });
}
