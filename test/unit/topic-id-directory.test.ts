// Topic-id lookups are bounded (invariant 4): concurrent misses share batched lookups, unknown
// ids are cached, a hung backing answer fails in bounded time, and every map has a fixed size.
import { describe, expect, test } from "bun:test";
import type { MetadataLookup } from "../../src/client/lookup.ts";
import { TopicIdDirectory } from "../../src/vcluster/topic-id-directory.ts";

const UNKNOWN_TOPIC_ID = 100;

function randomId(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
}

interface LookupRequest {
  topics: Array<{ topicId: string }>;
}

/** A fake backing cluster that knows `topics` (id → name) and records every lookup. */
function fakeBacking(topics: Map<string, string> = new Map(), delayMs = 1) {
  const calls: string[][] = [];
  const lookup: MetadataLookup = async (_apiKey, _version, body) => {
    const ids = (body as LookupRequest).topics.map((t) => t.topicId);
    calls.push(ids);
    await new Promise((r) => setTimeout(r, delayMs));
    return {
      topics: ids.map((topicId) => {
        const name = topics.get(topicId);
        return name ? { errorCode: 0, name, topicId } : { errorCode: UNKNOWN_TOPIC_ID, name: null, topicId };
      }),
    };
  };
  return { lookup, calls };
}

describe("topic-id directory", () => {
  test("concurrent misses for the same ids share one lookup", async () => {
    const id = randomId();
    const backing = fakeBacking(new Map([[id, "vc-a.orders"]]));
    const dir = new TopicIdDirectory(backing.lookup);
    const answers = await Promise.all(Array.from({ length: 50 }, () => dir.resolve([id])));
    expect(answers.every((m) => m.get(id) === "vc-a.orders")).toBe(true);
    expect(backing.calls.length).toBe(1);
  });

  test("concurrent misses for different ids are batched, with a cap on ids per lookup", async () => {
    const backing = fakeBacking();
    const dir = new TopicIdDirectory(backing.lookup, { maxIdsPerLookup: 100 });
    await Promise.all(Array.from({ length: 40 }, () => dir.resolve(Array.from({ length: 25 }, randomId))));
    // 1000 distinct ids: at most 100 per lookup, so 10 lookups, plus the first that went alone.
    expect(backing.calls.every((ids) => ids.length <= 100)).toBe(true);
    expect(backing.calls.length).toBeLessThanOrEqual(11);
    expect(backing.calls.flat().length).toBe(1000);
  });

  test("ids the backing cluster does not know are remembered: a repeated spray makes no lookup", async () => {
    const backing = fakeBacking();
    const dir = new TopicIdDirectory(backing.lookup);
    const spray = Array.from({ length: 200 }, randomId);
    for (let i = 0; i < 20; i++) {
      const names = await dir.resolve(spray);
      expect([...names.values()].every((n) => n === undefined)).toBe(true);
    }
    expect(backing.calls.length).toBe(1);
    expect(dir.stats.lookups).toBe(1);
  });

  test("the unknown answer expires, and learning an id overrides it", async () => {
    let now = 1_000;
    const id = randomId();
    const topics = new Map<string, string>();
    const backing = fakeBacking(topics);
    const dir = new TopicIdDirectory(backing.lookup, { unknownTtlMs: 10_000, clock: () => now });
    expect((await dir.resolve([id])).get(id)).toBeUndefined();
    now += 5_000;
    await dir.resolve([id]);
    expect(backing.calls.length).toBe(1);
    now += 6_000;
    topics.set(id, "vc-a.new");
    expect((await dir.resolve([id])).get(id)).toBe("vc-a.new");
    expect(backing.calls.length).toBe(2);
    const other = randomId();
    await dir.resolve([other]);
    dir.learn(other, "vc-a.created");
    expect((await dir.resolve([other])).get(other)).toBe("vc-a.created");
  });

  test("a hung backing answer fails in bounded time, is not cached, and does not block later lookups", async () => {
    let hang = true;
    const calls: number[] = [];
    const id = randomId();
    const lookup: MetadataLookup = (_k, _v, body) => {
      calls.push((body as LookupRequest).topics.length);
      if (hang) return new Promise(() => {});
      return Promise.resolve({ topics: [{ errorCode: 0, name: "vc-a.orders", topicId: id }] });
    };
    const dir = new TopicIdDirectory(lookup, { lookupTimeoutMs: 100 });
    const started = performance.now();
    const names = await dir.resolve([id]);
    const ms = performance.now() - started;
    expect(names.get(id)).toBeUndefined();
    expect(ms).toBeGreaterThanOrEqual(90);
    expect(ms).toBeLessThan(2_000);
    expect(dir.stats.failures).toBe(1);
    hang = false;
    expect((await dir.resolve([id])).get(id)).toBe("vc-a.orders");
    expect(calls.length).toBe(2);
  });

  test("when a lookup times out, the ids queued behind it are answered too, not one timeout per batch", async () => {
    const lookup: MetadataLookup = () => new Promise(() => {});
    const dir = new TopicIdDirectory(lookup, { lookupTimeoutMs: 100, maxIdsPerLookup: 100 });
    const started = performance.now();
    const answers = await Promise.all(Array.from({ length: 10 }, () => dir.resolve(Array.from({ length: 100 }, randomId))));
    const ms = performance.now() - started;
    expect(answers.every((m) => [...m.values()].every((n) => n === undefined))).toBe(true);
    // Ten batches behind one another would take ten timeouts.
    expect(ms).toBeLessThan(500);
    expect(dir.stats.lookups).toBe(1);
    expect(dir.queuedCount).toBe(0);
  });

  test("a full queue reports further ids unknown at once instead of queueing them", async () => {
    const backing = fakeBacking(new Map(), 20);
    const dir = new TopicIdDirectory(backing.lookup, { maxQueuedIds: 300, maxQueuedIdsPerRequester: 300, maxIdsPerLookup: 100 });
    const spray = Array.from({ length: 5_000 }, randomId);
    const names = await dir.resolve(spray);
    expect(names.size).toBe(5_000);
    expect(backing.calls.flat().length).toBe(300);
    expect(dir.stats.shed).toBe(4_700);
    expect(dir.queuedCount).toBe(0);
  });

  test("one requester's spray takes only its share of the queue; another's ids are still looked up", async () => {
    const known = randomId();
    const backing = fakeBacking(new Map([[known, "vc-b.orders"]]), 20);
    const dir = new TopicIdDirectory(backing.lookup, { maxQueuedIds: 1_000, maxQueuedIdsPerRequester: 200, maxIdsPerLookup: 100 });
    const spray = dir.resolve(Array.from({ length: 5_000 }, randomId), "vc-a");
    const other = await dir.resolve([known], "vc-b");
    expect(other.get(known)).toBe("vc-b.orders");
    await spray;
    expect(backing.calls.flat().length).toBe(201);
    expect(dir.stats.shed).toBe(4_800);
  });

  test("the learned and the unknown maps have fixed sizes", async () => {
    const backing = fakeBacking();
    const dir = new TopicIdDirectory(backing.lookup, { maxKnownIds: 1_000, maxUnknownIds: 500, maxIdsPerLookup: 1_000, maxQueuedIds: 5_000 });
    for (let i = 0; i < 20_000; i++) dir.learn(randomId(), `vc-a.t${i}`);
    expect(dir.knownCount).toBe(1_000);
    await dir.resolve(Array.from({ length: 3_000 }, randomId));
    expect(dir.unknownCount).toBe(500);
  });
});
