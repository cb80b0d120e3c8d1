// A vcluster's own topic policy on the admin API: validated with zod (400 with the issue path),
// stored with the vcluster, shown by GET next to the policy in force (config defaults under it),
// replaced by a later PUT and left alone by one that does not mention it.
import { describe, expect, test } from "bun:test";
import { controlPlane } from "../support/control-plane-fixture.ts";

describe("admin API: topicPolicy", () => {
  test("PUT stores it, GET shows it with the effective policy, a later PUT replaces it", async () => {
    const { call, store } = await controlPlane({ topicPolicy: { maxPartitionsPerTopic: 8, maxPartitionsPerVcluster: 100 } });
    const created = await call("PUT", "/v1/vclusters/vc-a", { topicPolicy: { maxPartitionsPerTopic: 2, allowedConfigs: ["retention.ms"] } });
    expect(created.status).toBe(201);
    const shown = await (await call("GET", "/v1/vclusters/vc-a")).json();
    expect(shown.topicPolicy).toEqual({ maxPartitionsPerTopic: 2, allowedConfigs: ["retention.ms"] });
    expect(shown.effectiveTopicPolicy).toEqual({ maxPartitionsPerTopic: 2, maxPartitionsPerVcluster: 100, allowedConfigs: ["retention.ms"] });
    // Labels only: the policy stays.
    expect((await call("PUT", "/v1/vclusters/vc-a", { labels: { team: "x" } })).status).toBe(200);
    expect(store.getVcluster("vc-a")?.topicPolicy).toEqual({ maxPartitionsPerTopic: 2, allowedConfigs: ["retention.ms"] });
    // null lifts a default for this vcluster.
    await call("PUT", "/v1/vclusters/vc-a", { topicPolicy: { maxPartitionsPerVcluster: null } });
    const after = await (await call("GET", "/v1/vclusters/vc-a")).json();
    expect(after.topicPolicy).toEqual({ maxPartitionsPerVcluster: null });
    expect(after.effectiveTopicPolicy).toEqual({ maxPartitionsPerTopic: 8, maxPartitionsPerVcluster: null });
    const list = await (await call("GET", "/v1/vclusters")).json();
    expect(list.vclusters[0].topicPolicy).toEqual({ maxPartitionsPerVcluster: null });
  });

  test("a bad policy is a 400 naming the field, and nothing is stored", async () => {
    const { call, store } = await controlPlane();
    for (
      const topicPolicy of [{ maxPartitionsPerTopic: 0 }, { configRanges: { "retention.ms": { min: 9, max: 1 } } }, { allowedConfigs: ["Bad Name"] }, {
        unknown: 1,
      }]
    ) {
      const res = await call("PUT", "/v1/vclusters/vc-b", { topicPolicy });
      expect(res.status).toBe(400);
      const body = await res.json();
      expect(JSON.stringify(body.issues.map((i: { path: unknown[] }) => i.path))).toContain("topicPolicy");
    }
    expect(store.getVcluster("vc-b")).toBeUndefined();
  });

  test("the config's topicPolicy is validated at start with the path of the bad key", async () => {
    await expect(controlPlane({ topicPolicy: { maxReplicationFactor: -1 } } as never)).rejects.toThrow(/maxReplicationFactor/);
  });
});
