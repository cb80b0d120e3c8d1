// Quotas per vcluster and per principal: which rate throttles (the larger throttle wins), the
// connection slots (taken at login, kept across re-authentication as the same principal, given
// back at close), and quotas read live from their source.
import { describe, expect, test } from "bun:test";
import { encodeResponse } from "../../src/protocol/codec.ts";
import { decodeResponse } from "../../src/protocol/codec.ts";
import { concatBytes } from "../../src/protocol/wire.ts";
import type { RequestOutcome } from "../../src/gateway/session-policy.ts";
import { ConnectionQuota } from "../../src/vcluster/quota-connection.ts";
import { QuotaManager } from "../../src/vcluster/quota-manager.ts";
import type { Quotas } from "../../src/model/quota-schema.ts";

// deno-lint-ignore no-explicit-any
type Msg = any;
const WINDOW = { samples: 11, windowMs: 1000 };

function manager(own: Record<string, Quotas>, defaults: Quotas = {}) {
  let now = 1_000_000;
  const m = new QuotaManager({ defaults, own: (v) => own[v], window: WINDOW, clock: () => now });
  return { m, advance: (ms: number) => (now += ms), now: () => now };
}

const fetchResponse = (throttleTimeMs: number, padding = 0) =>
  concatBytes(encodeResponse(1, 12, { correlationId: 1 }, {
    throttleTimeMs,
    errorCode: 0,
    sessionId: 0,
    responses: [{ topic: "x".repeat(padding + 1), topicId: "0".repeat(32), partitions: [] }],
  }));

describe("QuotaManager", () => {
  test("a vcluster quota counts all its principals together", () => {
    const { m } = manager({ vc: { producerByteRate: 1000 } });
    expect(m.record("produce", "vc", "alice", 6000)).toBe(0);
    expect(m.record("produce", "vc", "bob", 6000)).toBe(2000); // 12 000 over 10 s: (1200 - 1000) / 1000 × 10 s
    expect(m.record("produce", "other", "bob", 50_000)).toBe(0); // another vcluster, no quota
  });

  test("a principal quota throttles that principal only; the larger throttle wins", () => {
    const { m } = manager({ vc: { producerByteRate: 10_000, principalDefaults: { producerByteRate: 500 }, principals: { bob: { producerByteRate: 2000 } } } });
    expect(m.record("produce", "vc", "alice", 10_000)).toBe(10_000); // 1000/s against 500/s: (1000 - 500) / 500 × 10 s
    expect(m.record("produce", "vc", "bob", 10_000)).toBe(0); // bob's own 2000/s, the vcluster 2000/s of 10 000
    expect(m.record("produce", "vc", "bob", 15_000)).toBe(2500); // bob at 2500/s: (2500 - 2000) / 2000 × 10 s
  });

  test("kinds are apart: produce bytes do not count against the fetch or request quota", () => {
    const { m } = manager({ vc: { consumerByteRate: 100, requestRate: 1 } });
    expect(m.record("produce", "vc", "a", 1e9)).toBe(0);
    expect(m.record("fetch", "vc", "a", 1000)).toBe(0);
    expect(m.record("fetch", "vc", "a", 1)).toBeGreaterThan(0);
    for (let i = 0; i < 10; i++) expect(m.record("request", "vc", "a", 1)).toBe(0);
    expect(m.record("request", "vc", "a", 1)).toBe(1000);
    expect(m.currentRate("fetch", "vc")).toBeCloseTo(100.1, 6);
  });

  test("quotas are read at each use: a change applies to the next request", () => {
    const own: Record<string, Quotas> = {};
    const { m } = manager(own);
    expect(m.record("produce", "vc", "a", 20_000)).toBe(0);
    own.vc = { producerByteRate: 1000 };
    expect(m.record("produce", "vc", "a", 0)).toBe(10_000);
    own.vc = { producerByteRate: null };
    expect(m.record("produce", "vc", "a", 0)).toBe(0);
  });

  test("the config's quotas are every vcluster's defaults; a vcluster's null lifts one", () => {
    const { m } = manager({ free: { producerByteRate: null } }, { producerByteRate: 1000 });
    expect(m.record("produce", "any", "a", 20_000)).toBeGreaterThan(0);
    expect(m.record("produce", "free", "a", 20_000)).toBe(0);
  });

  test("a Fetch may ask for at most quota × (samples - 1) windows (the smaller of vcluster and principal)", () => {
    const { m } = manager({ vc: { consumerByteRate: 1000, principals: { small: { consumerByteRate: 10 } } }, free: {} });
    expect(m.fetchMaxBytes("vc", "a")).toBe(10_000);
    expect(m.fetchMaxBytes("vc", "small")).toBe(100);
    expect(m.fetchMaxBytes("free", "a")).toBeUndefined();
  });

  test("connections: per vcluster and per principal, given back on release", () => {
    const { m } = manager({ vc: { maxConnections: 2, principals: { bob: { maxConnections: 1 } } } });
    expect(m.admit("vc", "bob")).toBeNull();
    expect(m.admit("vc", "bob")).toContain("principal bob has reached its connection limit");
    expect(m.admit("vc", "alice")).toBeNull();
    expect(m.admit("vc", "carol")).toContain("virtual cluster vc has reached its connection limit (2, quotas.maxConnections)");
    m.release("vc", "bob");
    expect(m.connectionCount("vc")).toBe(1);
    expect(m.admit("vc", "carol")).toBeNull();
  });
});

describe("ConnectionQuota", () => {
  const head = (apiKey: number, apiVersion: number) => ({ apiKey, apiVersion, correlationId: 1 });
  const forward = (extra: Partial<Extract<RequestOutcome, { kind: "forward" }>> = {}): RequestOutcome => ({
    kind: "forward",
    frame: new Uint8Array(0),
    expectResponse: true,
    ...extra,
  });

  test("re-authentication as the same principal keeps its slot; as another takes a new one", () => {
    const { m } = manager({ vc: { maxConnections: 1 } });
    const c = new ConnectionQuota(m);
    expect(c.login("vc", "a")).toBeNull();
    expect(c.login("vc", "a")).toBeNull();
    expect(new ConnectionQuota(m).login("vc", "b")).not.toBeNull();
    c.release();
    expect(m.connectionCount("vc")).toBe(0);
  });

  test("a login after an anonymous or pinned view swaps its slot, even at the limit", () => {
    const { m } = manager({ vc: { maxConnections: 1 } });
    const c = new ConnectionQuota(m);
    expect(c.login("vc", undefined)).toBeNull();
    expect(c.login("vc", "alice")).toBeNull();
    expect(m.connectionCount("vc")).toBe(1);
    expect(new ConnectionQuota(m).login("vc", undefined)).toContain("connection limit");
    c.release();
    expect(m.connectionCount("vc")).toBe(0);
  });

  test("an anonymous or pinned view is held to the vcluster's rates", () => {
    const { m, now } = manager({ vc: { producerByteRate: 1000 } });
    const c = new ConnectionQuota(m, now);
    c.login("vc", undefined);
    c.apply(forward({ rewrite: (f) => f }), head(0, 9), 15_000, false);
    expect(c.throttledUntil).toBe(now() + 5000);
  });

  test("a Produce over quota: throttle in the response, the connection muted as long", async () => {
    const { m, now } = manager({ vc: { producerByteRate: 1000 } });
    const c = new ConnectionQuota(m, now);
    c.login("vc", "a");
    const out = c.apply(forward({ rewrite: (f) => f }), head(0, 9), 15_000, false);
    expect(c.throttledUntil).toBe(now() + 5000);
    const response = concatBytes(encodeResponse(0, 9, { correlationId: 1 }, { responses: [], throttleTimeMs: 0 }));
    const rewritten = await (out as Msg).rewrite(response);
    expect(decodeResponse<Msg>(concatBytes([rewritten].flat()), 0, 9).body.throttleTimeMs).toBe(5000);
  });

  test("a Fetch counts its response's size from the response head, streamed or not, and keeps the broker's larger throttle", () => {
    const { m, now } = manager({ vc: { consumerByteRate: 10 } });
    const c = new ConnectionQuota(m, now);
    c.login("vc", "a");
    const seen: number[] = [];
    const out = c.apply(forward({ onResponseHead: (h) => seen.push(h.length) }), head(1, 12), 100, false) as Msg;
    const small = fetchResponse(0);
    out.onResponseHead(small);
    expect(seen).toEqual([small.length]);
    expect(c.throttledUntil).toBe(0); // small.length bytes over 10 s is within 10/s
    const big = fetchResponse(0, 500);
    const again = c.apply(forward(), head(1, 12), 100, false) as Msg;
    again.onResponseHead(big);
    const throttle = decodeResponse<Msg>(big, 1, 12).body.throttleTimeMs;
    expect(throttle).toBeGreaterThan(0);
    expect(c.throttledUntil).toBe(now() + throttle);
    const brokers = fetchResponse(99_000, 500);
    (c.apply(forward(), head(1, 12), 100, false) as Msg).onResponseHead(brokers);
    expect(decodeResponse<Msg>(brokers, 1, 12).body.throttleTimeMs).toBe(99_000);
  });

  test("not logged in (anonymous view): no quota applies", () => {
    const { m } = manager({}, { producerByteRate: 1 });
    const c = new ConnectionQuota(m);
    const outcome = forward();
    expect(c.apply(outcome, head(0, 9), 1e9, false)).toBe(outcome);
    expect(c.throttledUntil).toBe(0);
  });
});

describe("quotas in the config", () => {
  test("`quotas:` (every vcluster's defaults), a declared vcluster's own, and the window in `limits`", async () => {
    const { configSchema } = await import("../../src/config/schema.ts");
    const config = configSchema.parse({
      quotas: { producerByteRate: 1e6, principalDefaults: { maxConnections: 10 } },
      vclusters: [{ name: "vc-a", quotas: { maxTopics: 5 } }],
      limits: { quotaWindowNum: 4 },
    });
    expect(config.quotas).toEqual({ producerByteRate: 1e6, principalDefaults: { maxConnections: 10 } });
    expect(config.vclusters[0]!.quotas).toEqual({ maxTopics: 5 });
    expect(config.limits.quotaWindowNum).toBe(4);
    expect(config.limits.quotaWindowSizeSeconds).toBe(1);
    expect(configSchema.parse({}).limits.quotaWindowNum).toBe(11); // Kafka's quota.window.num
    expect(configSchema.safeParse({ quotas: { requestRate: 0 } }).success).toBe(false);
    expect(configSchema.safeParse({ quotas: { producerByteRates: 1 } }).success).toBe(false);
  });
});

describe("the config's quotas on SIGHUP", () => {
  test("applied live; the running QuotaManager reads the new defaults", async () => {
    const { configSchema } = await import("../../src/config/schema.ts");
    const { LiveSettings } = await import("../../src/live-settings.ts");
    const live = new LiveSettings(configSchema.parse({}));
    const m = new QuotaManager({
      get defaults() {
        return live.quotas;
      },
      own: () => undefined,
      window: WINDOW,
      clock: () => 0,
    });
    expect(m.record("produce", "vc", "a", 20_000)).toBe(0);
    const { applied, restartNeeded } = live.update(configSchema.parse({ quotas: { producerByteRate: 1000 } }));
    expect(applied).toEqual(["quotas.producerByteRate"]);
    expect(restartNeeded).toEqual([]);
    expect(m.record("produce", "vc", "a", 0)).toBe(10_000);
  });
});
