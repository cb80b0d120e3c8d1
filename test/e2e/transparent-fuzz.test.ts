// Bad input against kgate as a transparent proxy, under Bun and under Deno: many connections
// send malformed and random frames (negative and oversized sizes, truncated headers, unknown API
// keys, garbage after valid frames). Each bad connection must end with a reason in kgate's log,
// a healthy kafkajs client on other connections keeps producing and fetching throughout, kgate's
// memory stays bounded (a declared frame size is not an allocation), and SIGTERM exits 0.
//
// FUZZ_SEED=n reproduces a run's random frames (the seed is printed).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { connect, type Socket } from "node:net";
import { type Consumer, Kafka, logLevel, type Producer } from "kafkajs";
import { kafkaBootstrap } from "../support/kafka.ts";
import { type KgateProcess, type KgateRuntime, startKgate } from "../support/kgate-process.ts";
import { apiVersionsV0, rawConversation, requestFrame } from "../support/raw-socket.ts";
import { rssBytes } from "../support/wait.ts";

const MAX_FRAME = 100 * 1024 * 1024; // kgate's default limits.maxFrameBytes
// Connections are spread over a few seconds, in batches, so that the healthy client runs
// alongside. Not thousands: every closed connection leaves a TIME_WAIT socket for a minute, and
// a TIME_WAIT on a port blocks listening there (for concurrently running tests, too).
const CONNECTIONS_PER_CASE = Number(process.env.FUZZ_CONNECTIONS ?? 30);
const CONCURRENCY = 20;
const BATCH_PAUSE_MS = 150;
const RSS_GROWTH_LIMIT = 200 * 1024 * 1024;
const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
console.log(`transparent-fuzz: FUZZ_SEED=${SEED}`);

/** mulberry32: small, seedable, good enough to pick bytes. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface BadConnection {
  chunks: Uint8Array[];
  /** Half-close after writing: for inputs that leave kgate waiting for more bytes. */
  end: boolean;
  /** The reason kgate must log, when the input determines it. */
  reason?: RegExp;
}

type Case = (rand: () => number) => BadConnection;

function int32(n: number): Uint8Array {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
}

function bytes(rand: () => number, n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(rand() * 256);
  return b;
}

const int = (rand: () => number, lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));

const CASES: Record<string, Case> = {
  "negative size": (r) => ({
    chunks: [int32(-int(r, 1, 2 ** 31)), bytes(r, int(r, 0, 64))],
    end: false,
    reason: /negative frame size/,
  }),
  "oversized size": (r) => ({
    chunks: [int32(int(r, MAX_FRAME + 1, 2 ** 31 - 1)), bytes(r, int(r, 0, 64))],
    end: false,
    reason: /exceeds maximum/,
  }),
  "oversized size after a valid frame": (r) => ({
    chunks: [apiVersionsV0(1), int32(int(r, MAX_FRAME + 1, 2 ** 31 - 1))],
    end: false,
    reason: /exceeds maximum/,
  }),
  "truncated header": (r) => {
    const size = int(r, 0, 7); // a request header needs 8 bytes after the size
    return { chunks: [int32(size), bytes(r, size)], end: false, reason: /too short for a header/ };
  },
  "frame cut short by EOF": (r) => {
    const frame = requestFrame(3, 12, 7, bytes(r, 200));
    return { chunks: [frame.subarray(0, int(r, 1, frame.length - 1))], end: true, reason: /inside a frame/ };
  },
  "unknown api key": (r) => ({
    chunks: [requestFrame(r() < 0.5 ? int(r, 1000, 32767) : -int(r, 1, 32768), int(r, 0, 20), int(r, 0, 1e6), bytes(r, int(r, 0, 100)))],
    end: false, // the broker closes the connection
  }),
  "known api key, random body": (r) => ({
    // Produce, Fetch, Metadata, FindCoordinator, ApiVersions: the keys kgate itself looks into
    chunks: [requestFrame([0, 1, 3, 10, 18][int(r, 0, 4)]!, int(r, 0, 30), int(r, 0, 1e6), bytes(r, int(r, 0, 300)))],
    end: true,
  }),
  "garbage after valid frames": (r) => ({
    chunks: [apiVersionsV0(1), requestFrame(3, 4, 2, new Uint8Array(5)), bytes(r, int(r, 1, 2000))],
    end: true,
  }),
  "random frames": (r) => {
    const chunks: Uint8Array[] = [];
    for (let i = int(r, 1, 5); i > 0; i--) {
      const size = int(r, 0, 512);
      chunks.push(int32(size), bytes(r, size));
    }
    return { chunks, end: true };
  },
  "random bytes": (r) => ({ chunks: [bytes(r, int(r, 1, 4096))], end: true }),
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** kgate's "closed" reason per client-side port, from its log (one pass over the log). */
function closeReasons(logs: string): Map<number, string> {
  const idByPort = new Map<number, string>();
  const reasonById = new Map<string, string>();
  const byPort = new Map<number, string>();
  for (const m of logs.matchAll(/msg="connection (\d+) (?:opened from 127\.0\.0\.1:(\d+) |closed: ([^"]*)"|from 127\.0\.0\.1:(\d+) closed: ([^"]*)")/g)) {
    if (m[2]) idByPort.set(Number(m[2]), m[1]!);
    else if (m[3] !== undefined) reasonById.set(m[1]!, m[3]);
    else byPort.set(Number(m[4]), m[5]!); // refused before a session existed
  }
  for (const [port, id] of idByPort) {
    const reason = reasonById.get(id);
    if (reason !== undefined) byPort.set(port, reason);
  }
  return byPort;
}

async function waitFor<T>(what: string, get: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = get();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** A producer and a consumer group that keep going while the fuzzing runs. */
class HealthyClient {
  private readonly producer: Producer;
  private readonly consumer: Consumer;
  private running = false;
  private loop?: Promise<void>;
  readonly sent = new Set<string>();
  readonly received = new Set<string>();
  readonly errors: string[] = [];

  constructor(bootstrap: string, private readonly topic: string) {
    const kafka = new Kafka({ clientId: "fuzz-healthy", brokers: [bootstrap], logLevel: logLevel.NOTHING });
    // no retries: a request that fails during the fuzzing must show as a failure
    this.producer = kafka.producer({ retry: { retries: 0 } });
    this.consumer = kafka.consumer({ groupId: `g-${topic}`, maxWaitTimeInMs: 200 });
  }

  async start(): Promise<void> {
    await this.producer.connect();
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.topic, fromBeginning: true });
    this.consumer.on(this.consumer.events.CRASH, (e) => this.errors.push(`consumer crashed: ${e.payload.error.message}`));
    await this.consumer.run({ eachMessage: async ({ message }) => void this.received.add(message.value!.toString()) });
    this.running = true;
    this.loop = (async () => {
      for (let i = 0; this.running; i++) {
        try {
          await this.producer.send({ topic: this.topic, messages: [{ value: `healthy-${i}` }] });
          this.sent.add(`healthy-${i}`);
        } catch (e) {
          this.errors.push(`produce ${i}: ${(e as Error).message}`);
        }
        await sleep(50);
      }
    })();
    await waitFor("the healthy client's first record", () => (this.received.size > 0 ? true : undefined), 30_000);
  }

  /** Stops producing and waits until everything sent has been fetched back. */
  async finish(): Promise<void> {
    this.running = false;
    await this.loop;
    await waitFor(
      `the healthy consumer (${this.received.size}/${this.sent.size})`,
      () => ([...this.sent].every((v) => this.received.has(v)) ? true : undefined),
      30_000,
    );
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    await this.consumer.disconnect().catch(() => {});
    await this.producer.disconnect().catch(() => {});
  }
}

async function inBatches<T>(items: T[], size: number, run: (batch: T[]) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await run(items.slice(i, i + size));
}

for (const runtime of ["bun", "deno"] as KgateRuntime[]) {
  describe(`bad input (${runtime})`, () => {
    let kgate: KgateProcess;
    let healthy: HealthyClient;
    let host: string;
    let port: number;
    let rssBaseline = 0;

    beforeAll(async () => {
      kgate = await startKgate({ runtime, backing: await kafkaBootstrap() });
      [host, port] = [kgate.bootstrap.split(":")[0]!, kgate.port];
      const topic = `fuzz-${runtime}-${Date.now()}`;
      const admin = new Kafka({ clientId: "fuzz-admin", brokers: [kgate.bootstrap], logLevel: logLevel.NOTHING }).admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
      await admin.disconnect();
      healthy = new HealthyClient(kgate.bootstrap, topic);
      await healthy.start();
      rssBaseline = rssBytes(kgate.child.pid!);
    });
    afterAll(async () => {
      await healthy?.stop();
      if (kgate?.child.exitCode === null) await kgate.stop("SIGKILL");
    });

    test("every malformed or random connection is closed with a logged reason", async () => {
      const rand = prng(SEED);
      const failures: string[] = [];
      const byCase = new Map<string, Set<string>>();
      const started = Date.now();
      const sentBefore = healthy.sent.size;
      const runs: { name: string; input: BadConnection }[] = [];
      for (let i = 0; i < CONNECTIONS_PER_CASE; i++) {
        for (const [name, make] of Object.entries(CASES)) runs.push({ name, input: make(rand) });
      }
      await inBatches(runs, CONCURRENCY, async (batch) => {
        // Client ports can be reused from one batch to the next, so each batch is matched against
        // the log lines written since it started (its ports are unique within it).
        const logOffset = kgate.logs().length;
        const ports: { name: string; localPort: number; reason?: RegExp }[] = [];
        await Promise.all(batch.map(async ({ name, input }) => {
          const outcome = await rawConversation(host, port, input.chunks, { endAfterWrite: input.end, timeoutMs: 15_000 });
          if (!outcome.closed) failures.push(`${name}: kgate kept the connection open`);
          if (outcome.localPort === undefined) failures.push(`${name}: no connection (${outcome.error})`);
          else ports.push({ name, localPort: outcome.localPort, reason: input.reason });
        }));
        // kgate logs the close after the socket is gone; give the last lines a moment.
        const reasons = await waitFor("a close line for every bad connection", () => {
          const r = closeReasons(kgate.logs().slice(logOffset));
          return ports.every((p) => r.has(p.localPort)) ? r : undefined;
        }).catch(() => closeReasons(kgate.logs().slice(logOffset)));
        for (const p of ports) {
          const reason = reasons.get(p.localPort);
          if (!reason) {
            failures.push(`${p.name} (port ${p.localPort}): no close reason in the log`);
            continue;
          }
          if (p.reason && !p.reason.test(reason)) failures.push(`${p.name}: reason "${reason}" does not match ${p.reason}`);
          const seen = byCase.get(p.name) ?? new Set();
          seen.add(reason.replace(/-?\d+/g, "N"));
          byCase.set(p.name, seen);
        }
        await sleep(BATCH_PAUSE_MS);
      });
      console.log(
        `[${runtime}] ${runs.length} bad connections in ${((Date.now() - started) / 1000).toFixed(1)} s, ` +
          `${healthy.sent.size - sentBefore} healthy records meanwhile; close reasons by case:\n` +
          [...byCase].map(([c, r]) => `  ${c}: ${[...r].join(" | ")}`).join("\n"),
      );
      expect(failures.slice(0, 20)).toEqual([]);
      expect(healthy.sent.size - sentBefore).toBeGreaterThan(0);
      expect(healthy.errors).toEqual([]);
      expect(kgate.child.exitCode).toBeNull();
    });

    test("a declared frame size is not an allocation", async () => {
      // Many connections each announce a frame of the maximum size and send only its start:
      // buffering them must cost what arrived, not what was announced (30 x 100 MiB = 3 GiB).
      const sockets: Socket[] = [];
      const before = rssBytes(kgate.child.pid!);
      for (let i = 0; i < 30; i++) {
        const s = connect(port, host);
        s.on("error", () => {});
        await new Promise<void>((resolve) => s.once("connect", () => resolve()));
        s.write(int32(MAX_FRAME));
        s.write(requestFrame(0, 9, i, new Uint8Array(16 * 1024)).subarray(4));
        sockets.push(s);
      }
      await sleep(1000);
      const during = rssBytes(kgate.child.pid!);
      for (const s of sockets) expect(s.destroyed).toBe(false); // still waiting for the rest
      const ports = sockets.map((s) => s.localPort!);
      const closed = sockets.map((s) => new Promise((r) => s.once("close", r)));
      for (const s of sockets) s.end();
      await Promise.all(closed);
      console.log(`[${runtime}] RSS with 30 half-sent 100 MiB frames: ${mib(before)} -> ${mib(during)} MiB`);
      expect(during - before).toBeLessThan(RSS_GROWTH_LIMIT);
      const reasons = await waitFor("close lines for the half-sent frames", () => {
        const r = closeReasons(kgate.logs());
        return ports.every((p) => r.has(p)) ? r : undefined;
      });
      for (const p of ports) expect(reasons.get(p)).toMatch(/inside a frame/);
    });

    test("the healthy client kept working and memory stayed bounded", async () => {
      await healthy.finish();
      expect(healthy.errors).toEqual([]);
      expect(healthy.sent.size).toBeGreaterThan(10);
      const after = rssBytes(kgate.child.pid!);
      console.log(`[${runtime}] RSS: ${mib(rssBaseline)} MiB before the fuzzing, ${mib(after)} MiB after; healthy records: ${healthy.sent.size}`);
      expect(after - rssBaseline).toBeLessThan(RSS_GROWTH_LIMIT);
    });

    test("SIGTERM with clients connected: kgate exits 0", async () => {
      expect(await kgate.stop("SIGTERM")).toBe(0);
      expect(kgate.logs()).toContain("shutting down");
    });
  });
}

function mib(n: number): string {
  return (n / 1024 / 1024).toFixed(1);
}
