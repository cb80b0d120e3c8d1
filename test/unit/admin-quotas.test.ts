// A vcluster's own quotas on the admin API: validated with zod (400 with the issue path), stored
// with the vcluster, shown by GET next to the quotas in force (config defaults under them),
// replaced by a later PUT and left alone by one that does not mention them; in /openapi.json.
import { describe, expect, test } from "bun:test";
import { controlPlane } from "../support/control-plane-fixture.ts";

describe("admin API: quotas", () => {
  test("PUT stores them, GET shows them with the effective quotas, a later PUT replaces them", async () => {
    const { call, store } = await controlPlane({ quotas: { producerByteRate: 1e7, maxConnections: 100 } });
    const quotas = { producerByteRate: 2097152, principals: { billing: { requestRate: 50 } } };
    expect((await call("PUT", "/v1/vclusters/vc-a", { quotas })).status).toBe(201);
    const shown = await (await call("GET", "/v1/vclusters/vc-a")).json();
    expect(shown.quotas).toEqual(quotas);
    expect(shown.effectiveQuotas).toEqual({ ...quotas, maxConnections: 100 });
    expect((await call("PUT", "/v1/vclusters/vc-a", { labels: { team: "x" } })).status).toBe(200);
    expect(store.getVcluster("vc-a")?.quotas).toEqual(quotas);
    await call("PUT", "/v1/vclusters/vc-a", { quotas: { maxConnections: null } });
    const after = await (await call("GET", "/v1/vclusters/vc-a")).json();
    expect(after.effectiveQuotas).toEqual({ producerByteRate: 1e7, maxConnections: null });
    const list = await (await call("GET", "/v1/vclusters")).json();
    expect(list.vclusters[0].quotas).toEqual({ maxConnections: null });
  });

  test("bad quotas are a 400 naming the field, and nothing is stored", async () => {
    const { call, store } = await controlPlane();
    for (
      const quotas of [{ producerByteRate: 0 }, { maxTopics: 1.5 }, { principals: { "no spaces": {} } }, { principalDefaults: { maxTopics: 3 } }, { rate: 1 }]
    ) {
      const res = await call("PUT", "/v1/vclusters/vc-b", { quotas });
      expect(res.status).toBe(400);
      const body = await res.json();
      expect(JSON.stringify(body.issues.map((i: { path: unknown[] }) => i.path))).toContain("quotas");
    }
    expect(store.getVcluster("vc-b")).toBeUndefined();
  });

  test("described in /openapi.json", async () => {
    const { call } = await controlPlane();
    const doc = await (await call("GET", "/openapi.json")).json();
    expect(Object.keys(doc.components.schemas.Quotas.properties)).toContain("producerByteRate");
  });
});
