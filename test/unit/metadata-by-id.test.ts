// Metadata by id: ids the tenant does not own are answered by kgate, never sent to the broker.
import { describe, expect, test } from "bun:test";
import type { RuleContext } from "../../src/vcluster/hand-rules.ts";
import { answerUnownedMetadataIds } from "../../src/vcluster/metadata-by-id.ts";
import { Tenant } from "../../src/vcluster/tenant.ts";

const A = "a".repeat(32);
const B = "b".repeat(32);
const ZERO = "0".repeat(32);

function context(): RuleContext {
  return { tenant: new Tenant("vc-a", "vc-a."), version: 12, responseFixups: [] };
}

describe("Metadata by id", () => {
  test("unowned by-id entries leave the request and come back as UNKNOWN_TOPIC_ID, in request order", () => {
    const ctx = context();
    const body: Record<string, unknown> = { topics: [{ topicId: A, name: null }, { topicId: ZERO, name: "vc-a.orders" }, { topicId: B, name: null }] };
    expect(answerUnownedMetadataIds(body, 12, new Set([A, B]), ctx)).toBe(2);
    expect(body.topics).toEqual([{ topicId: ZERO, name: "vc-a.orders" }]);
    const res: Record<string, unknown> = { topics: [{ topicId: "c".repeat(32), name: "vc-a.orders", errorCode: 0 }] };
    for (const fix of ctx.responseFixups) fix(res);
    const topics = res.topics as Array<Record<string, unknown>>;
    expect(topics.map((t) => [t.topicId, t.errorCode, t.name])).toEqual([["c".repeat(32), 0, "vc-a.orders"], [A, 100, null], [B, 100, null]]);
    expect(topics[1]!.partitions).toEqual([]);
  });

  test("before v12 (ids are refused there by the broker) and for all-topics requests nothing changes", () => {
    const ctx = context();
    const body: Record<string, unknown> = { topics: [{ topicId: A, name: null }] };
    expect(answerUnownedMetadataIds(body, 11, new Set([A]), ctx)).toBe(0);
    expect(answerUnownedMetadataIds({ topics: null }, 12, new Set([A]), ctx)).toBe(0);
    expect(ctx.responseFixups.length).toBe(0);
  });
});
