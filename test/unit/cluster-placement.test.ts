// Cluster mode's broker placement: the same answer on every node, every broker placed on a live
// node, a fair spread, and when a node leaves only its own brokers move.
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { placeBroker } from "../../src/cluster/broker-placement.ts";
import { brokerPortOf, nodeAnnouncementSchema } from "../../src/cluster/node-announcement.ts";

const nodeIds = fc.uniqueArray(fc.stringMatching(/^[a-z0-9.:-]{1,20}$/), { minLength: 1, maxLength: 8 });

describe("placeBroker", () => {
  test("no live node, no placement", () => {
    expect(placeBroker(0, [])).toBeUndefined();
  });

  test("depends on the set of live nodes, not on their order", () => {
    fc.assert(
      fc.property(nodeIds, fc.nat(1000), (ids, broker) => {
        const shuffled = [...ids].reverse();
        expect(placeBroker(broker, shuffled)).toBe(placeBroker(broker, ids));
        expect(ids).toContain(placeBroker(broker, ids)!);
      }),
    );
  });

  test("a node leaving moves only the brokers it had; the others stay where they were", () => {
    fc.assert(
      fc.property(nodeIds.filter((ids) => ids.length >= 2), fc.nat(), (ids, pick) => {
        const gone = ids[pick % ids.length]!;
        const survivors = ids.filter((id) => id !== gone);
        for (let broker = 0; broker < 50; broker++) {
          const before = placeBroker(broker, ids)!;
          const after = placeBroker(broker, survivors)!;
          if (before !== gone) expect(after).toBe(before);
          else expect(survivors).toContain(after);
        }
      }),
    );
  });

  test("three nodes share 300 brokers roughly evenly", () => {
    const nodes = ["127.0.0.1:20000", "127.0.0.1:20050", "127.0.0.1:20100"];
    const counts = new Map<string, number>();
    for (let b = 0; b < 300; b++) {
      const n = placeBroker(b, nodes)!;
      counts.set(n, (counts.get(n) ?? 0) + 1);
    }
    for (const n of nodes) expect(counts.get(n) ?? 0).toBeGreaterThan(60);
  });
});

describe("node announcements", () => {
  const good = {
    v: 1,
    advertisedHost: "10.0.0.7",
    bootstrapPort: 9092,
    brokerPortBase: 9093,
    brokerPorts: { "2": 9200 },
    version: "0.1.0",
    runtime: "bun",
    sentAt: 1_700_000_000_000,
  };

  test("a valid one parses; its broker ports follow the base unless overridden", () => {
    const a = nodeAnnouncementSchema.parse(good);
    expect(brokerPortOf(a, 0)).toBe(9093);
    expect(brokerPortOf(a, 1)).toBe(9094);
    expect(brokerPortOf(a, 2)).toBe(9200);
  });

  test("records from the shared topic are hostile: bad ports, extra keys and huge hosts are refused", () => {
    for (
      const bad of [
        { ...good, bootstrapPort: 0 },
        { ...good, brokerPortBase: 70_000 },
        { ...good, extra: true },
        { ...good, advertisedHost: "x".repeat(300) },
        { ...good, brokerPorts: { abc: 1 } },
        { ...good, v: 2 },
      ]
    ) {
      expect(nodeAnnouncementSchema.safeParse(bad).success).toBe(false);
    }
  });
});
