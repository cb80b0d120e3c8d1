// The web console's server side, in process: the page is open and holds no data, every view
// and the new API routes need the admin token, tenant strings come out escaped, the CSP allows
// exactly the page's own script and style; plus the live-stats sampler and the backing inventory.
import { describe, expect, test } from "bun:test";
import { createAdminApp } from "../../src/admin/app.ts";
import { contentSecurityPolicy } from "../../src/admin/console/console-routes.tsx";
import { labelValue, LiveStats } from "../../src/admin/live-stats.ts";
import { createKgateMetrics, MetricsRegistry } from "../../src/metrics/metrics.ts";
import { createTokenSigner } from "../../src/auth/tokens.ts";
import { type BackingInventory, createBackingInventory } from "../../src/client/backing-inventory.ts";
import type { KafkaConnection } from "../../src/client/kafka-connection.ts";
import { configSchema } from "../../src/config/schema.ts";
import { MemoryStore } from "../../src/store/memory-store.ts";

const ADMIN_TOKEN = "console-admin-token-0123456789";
const HOSTILE = `<script>alert(1)</script>"><img src=x onerror=alert(2)>`;

async function consoleApp(inventory?: BackingInventory) {
  const clock = { now: Date.parse("2030-01-01T00:00:00Z") };
  const store = new MemoryStore(() => clock.now);
  await store.load();
  const metrics = createKgateMetrics();
  const liveStats = new LiveStats(metrics.registry, { clock: () => clock.now });
  const app = createAdminApp({
    store,
    config: configSchema.parse({}),
    metrics: metrics.registry,
    clock: () => clock.now,
    adminToken: ADMIN_TOKEN,
    signer: await createTokenSigner("0123456789abcdef0123456789abcdef"),
    liveStats,
    inventory,
    runtimeName: "bun",
  });
  const get = (path: string, token: string | null = ADMIN_TOKEN) => app.request(path, { headers: token === null ? {} : { authorization: `Bearer ${token}` } });
  return { app, store, metrics, liveStats, clock, get };
}

async function sha256(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  return btoa(String.fromCharCode(...digest));
}

describe("console page and views", () => {
  test("/ui without a token: the login page only, no data, strict CSP, no framing", async () => {
    const { store, get } = await consoleApp();
    await store.putVcluster({ name: "vc-hidden", labels: { owner: "secret-team" } });
    for (const path of ["/ui", "/ui/"]) {
      const res = await get(path, null);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toStartWith("text/html");
      expect(res.headers.get("x-frame-options")).toBe("DENY");
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      const csp = res.headers.get("content-security-policy")!;
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain("unsafe-inline");
      expect(csp).not.toContain("unsafe-eval");
      const html = await res.text();
      expect(html).toStartWith("<!doctype html>");
      expect(html).toContain('id="login-token"');
      expect(html).not.toContain("vc-hidden");
      expect(html).not.toContain("secret-team");
      // The one inline script and the one stylesheet are exactly those the CSP's hashes allow.
      const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
      const styles = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1]!);
      expect(scripts.length).toBe(1);
      expect(styles.length).toBe(1);
      expect(csp).toContain(`script-src 'sha256-${await sha256(scripts[0]!)}'`);
      expect(csp).toContain(`style-src 'sha256-${await sha256(styles[0]!)}'`);
      expect(html).not.toMatch(/ on[a-z]+=/i);
      expect(html).not.toContain("style=");
    }
    expect(await contentSecurityPolicy()).toBe((await get("/ui", null)).headers.get("content-security-policy")!);
  });

  test("every view and every new API route needs the admin token", async () => {
    const { store, get } = await consoleApp();
    await store.putVcluster({ name: "vc-a" });
    const paths = [
      "/ui/views/vclusters",
      "/ui/views/vclusters/vc-a",
      "/ui/views/vclusters/vc-a/data",
      "/ui/views/gateway",
      "/ui/other",
      "/v1/vclusters/vc-a/live",
      "/v1/vclusters/vc-a/topics",
      "/v1/vclusters/vc-a/groups",
      "/v1/gateway",
    ];
    for (const path of paths) {
      for (const token of [null, "wrong-token-0123456789", `${ADMIN_TOKEN}x`]) {
        const res = await get(path, token);
        expect([path, token, res.status]).toEqual([path, token, 401]);
        expect(await res.text()).not.toContain("vc-a");
      }
    }
    for (const path of paths.filter((p) => p !== "/ui/other")) {
      const res = await get(path);
      expect([path, res.status]).toEqual([path, path.endsWith("/topics") || path.endsWith("/groups") ? 503 : 200]);
    }
  });

  test("tenant strings (labels, topic and group names) are rendered as text, never as markup", async () => {
    const inventory: BackingInventory = {
      cluster: async () => ({ clusterId: HOSTILE, controllerId: 0, brokers: [{ nodeId: 0, host: HOSTILE, port: 9092, rack: HOSTILE }], roundTripMs: 1 }),
      topics: async () => [{ name: HOSTILE, topicId: "t", partitions: 1, replicationFactor: 1, errorCode: 0 }],
      groups: async () => ({ groups: [{ groupId: HOSTILE, state: HOSTILE, protocolType: HOSTILE, coordinator: 0 }], unreachable: [] }),
    };
    const { store, get } = await consoleApp(inventory);
    await store.putVcluster({ name: "vc-x", labels: { note: HOSTILE } });
    const future = Date.parse("2031-01-01T00:00:00Z") / 1000;
    await store.recordIssuedToken({ jti: "jti-1", vcluster: "vc-x", username: `u"><b x="`, issuedAt: future - 10, expiresAt: future });
    for (const path of ["/ui/views/vclusters", "/ui/views/vclusters/vc-x", "/ui/views/vclusters/vc-x/data", "/ui/views/gateway"]) {
      const res = await get(path);
      expect([path, res.status]).toEqual([path, 200]);
      const html = await res.text();
      expect([path, html.includes("&lt;script&gt;alert(1)&lt;/script&gt;")]).toEqual([path, true]);
      expect([path, /<script|<img/i.test(html)]).toEqual([path, false]);
    }
    // In attributes too: a user name with quotes stays inside its attribute.
    const detail = await (await get("/ui/views/vclusters/vc-x")).text();
    expect(detail).toContain('data-jti="jti-1"');
    expect(detail).toContain('data-username="u&quot;&gt;&lt;b x=&quot;"');
    expect(detail).not.toContain("<b ");
  });

  test("a view of a vcluster that does not exist, or of a bad name, answers with the API's status and reason", async () => {
    const { get } = await consoleApp();
    const res = await get("/ui/views/vclusters/vc-none");
    expect(res.status).toBe(404);
    expect(await res.text()).toContain("vcluster &quot;vc-none&quot; does not exist");
    const bad = await get("/ui/views/vclusters/Not_A_Name");
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("Not available");
  });
});

describe("live stats", () => {
  test("rates per vcluster between samples; connections as they are; history bounded", async () => {
    const metrics = createKgateMetrics();
    const clock = { now: 1_000_000 };
    const live = new LiveStats(metrics.registry, { clock: () => clock.now, keep: 3 });
    live.sample();
    expect(live.points("vc-a")).toEqual([]);
    metrics.bytesIn.inc({ vcluster: "vc-a" }, 4000);
    metrics.bytesOut.inc({ vcluster: "vc-a" }, 1000);
    metrics.requests.inc({ api: "Produce", vcluster: "vc-a" }, 10);
    metrics.requests.inc({ api: "Fetch", vcluster: "vc-a" }, 4);
    metrics.requests.inc({ api: "Produce", vcluster: "vc-b" }, 100);
    metrics.connections.set({ vcluster: "vc-a" }, 3);
    metrics.errors.inc({ kind: "connection" }, 2);
    clock.now += 2000;
    live.sample();
    expect(live.points("vc-a")).toEqual([{
      at: clock.now,
      connections: 3,
      bytesInPerSecond: 2000,
      bytesOutPerSecond: 500,
      requestsPerSecond: 7,
      produceRequestsPerSecond: 5,
      fetchRequestsPerSecond: 2,
      gatewayErrorsPerSecond: 1,
      errorsPerSecond: null,
      throttleMsPerSecond: null,
    }]);
    expect(live.points("vc-b")[0]!.produceRequestsPerSecond).toBe(50);
    for (let i = 0; i < 5; i++) {
      clock.now += 2000;
      live.sample();
    }
    expect(live.points("vc-a").length).toBe(3);
    expect(live.points("vc-a").at(-1)).toMatchObject({ connections: 3, bytesInPerSecond: 0 });
  });
});

describe("exposition labels", () => {
  test("a label's value, unescaped; an escaped quote or a look-alike inside another value is not a label", () => {
    expect(labelValue('api="Produce",vcluster="vc-a"', "vcluster")).toBe("vc-a");
    expect(labelValue('vcluster="vc-a",api="Fetch"', "api")).toBe("Fetch");
    expect(labelValue('kind="x\\",vcluster=\\"evil",vcluster="vc-b"', "vcluster")).toBe("vc-b");
    expect(labelValue('kind="a\\"b\\\\c\\nd"', "kind")).toBe('a"b\\c\nd');
    expect(labelValue('myvcluster="x"', "vcluster")).toBeUndefined();
    expect(labelValue("", "vcluster")).toBeUndefined();
  });

  test("error and throttle-time series with a vcluster label count for that vcluster", () => {
    const registry = new MetricsRegistry();
    const own = registry.counter("kgate_request_errors_total", "test", ["vcluster", "code"]);
    const throttleMs = registry.counter("kgate_vcluster_throttle_time_ms_total", "test", ["vcluster", "quota"]);
    const throttleSeconds = registry.counter("kgate_throttle_time_seconds_total", "test", ["vcluster", "api"]);
    const notTime = registry.counter("kgate_throttled_requests_total", "test", ["vcluster"]);
    const gateway = registry.counter("kgate_errors_total", "test", ["kind"]);
    const clock = { now: 0 };
    const live = new LiveStats(registry, { clock: () => clock.now });
    live.sample();
    own.inc({ vcluster: "vc-a", code: "3" }, 4);
    own.inc({ vcluster: "vc-b", code: "3" }, 1);
    throttleMs.inc({ vcluster: "vc-a", quota: "produce" }, 300);
    throttleMs.inc({ vcluster: "vc-a", quota: "fetch" }, 100);
    // The same waits counted by a second metric (in seconds) are not added on top.
    throttleSeconds.inc({ vcluster: "vc-a", api: "Produce" }, 0.3);
    notTime.inc({ vcluster: "vc-b" }, 7);
    gateway.inc({ kind: "connection" }, 5);
    clock.now += 1000;
    live.sample();
    expect(live.points("vc-a")[0]).toMatchObject({ errorsPerSecond: 4, throttleMsPerSecond: 400, gatewayErrorsPerSecond: 10 });
    expect(live.points("vc-b")[0]).toMatchObject({ errorsPerSecond: 1, throttleMsPerSecond: null });
  });

  test("the live sampler reads kgate's own exposition, escapes included", async () => {
    const metrics = createKgateMetrics();
    const clock = { now: 0 };
    const live = new LiveStats(metrics.registry, { clock: () => clock.now });
    live.sample();
    metrics.bytesIn.inc({ vcluster: 'odd"name\\' }, 1000);
    clock.now += 1000;
    live.sample();
    expect(live.points('odd"name\\')[0]!.bytesInPerSecond).toBe(1000);
  });
});

describe("backing inventory", () => {
  const metadata = {
    throttleTimeMs: 0,
    clusterId: "c1",
    controllerId: 1,
    errorCode: 0,
    clusterAuthorizedOperations: 0,
    brokers: [{ nodeId: 2, host: "b2", port: 9092, rack: null }, { nodeId: 1, host: "b1", port: 9092, rack: "r1" }],
    topics: [
      {
        errorCode: 0,
        name: "vc-a.orders",
        topicId: "id1",
        isInternal: false,
        partitions: [{ replicaNodes: [1, 2] }, { replicaNodes: [2, 1] }],
        topicAuthorizedOperations: 0,
      },
      { errorCode: 0, name: "vc-ab.other", topicId: "id2", isInternal: false, partitions: [], topicAuthorizedOperations: 0 },
      { errorCode: 0, name: "vc-a.", topicId: "id3", isInternal: false, partitions: [], topicAuthorizedOperations: 0 },
      { errorCode: 0, name: "__consumer_offsets", topicId: "id4", isInternal: true, partitions: [], topicAuthorizedOperations: 0 },
    ],
  };
  const groupsOf: Record<string, { groupId: string; protocolType: string; groupState: string }[]> = {
    b1: [{ groupId: "vc-a.g1", protocolType: "consumer", groupState: "Stable" }, { groupId: "vc-b.g1", protocolType: "consumer", groupState: "Empty" }],
    b2: [{ groupId: "vc-a.g0", protocolType: "", groupState: "Empty" }],
  };

  test("a tenant's topics and groups, without the prefix, from every broker; another prefix's are not included", async () => {
    const opened: string[] = [];
    let closed = 0;
    const inventory = createBackingInventory({
      lookup: async (apiKey) => {
        expect(apiKey).toBe(3);
        return metadata;
      },
      openBroker: async (address) => {
        opened.push(address.host);
        return {
          requestUntyped: async (apiKey: number) => {
            expect(apiKey).toBe(16);
            return { throttleTimeMs: 0, errorCode: 0, groups: groupsOf[address.host] };
          },
          close: () => void closed++,
        } as unknown as KafkaConnection;
      },
      timeoutMs: 1000,
    });
    expect(await inventory.topics("vc-a.")).toEqual([{ name: "orders", topicId: "id1", partitions: 2, replicationFactor: 2, errorCode: 0 }]);
    expect(await inventory.groups("vc-a.")).toEqual({
      groups: [
        { groupId: "g0", state: "Empty", protocolType: "", coordinator: 2 },
        { groupId: "g1", state: "Stable", protocolType: "consumer", coordinator: 1 },
      ],
      unreachable: [],
    });
    expect(opened.sort()).toEqual(["b1", "b2"]);
    await new Promise((r) => setTimeout(r, 0));
    expect(closed).toBe(2);
    expect((await inventory.cluster()).brokers.map((b) => b.nodeId)).toEqual([1, 2]);
  });

  test("a broker that does not answer is reported, not waited for", async () => {
    const inventory = createBackingInventory({
      lookup: async () => metadata,
      openBroker: (address) =>
        address.host === "b2" ? new Promise(() => {}) : Promise.resolve({
          requestUntyped: async () => ({ throttleTimeMs: 0, errorCode: 0, groups: groupsOf.b1 }),
          close: () => {},
        } as unknown as KafkaConnection),
      timeoutMs: 50,
    });
    const { groups, unreachable } = await inventory.groups("vc-a.");
    expect(groups.map((g) => g.groupId)).toEqual(["g1"]);
    expect(unreachable).toEqual([2]);
  });
});
