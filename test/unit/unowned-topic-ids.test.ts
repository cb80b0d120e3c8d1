// Metadata and DeleteTopics by id: ids the tenant does not own are answered by kgate, never
// sent to the broker (whose cost for unknown ids is superlinear).
import { describe, expect, test } from "bun:test";
import type { RuleContext } from "../../src/vcluster/hand-rules.ts";
import { answerUnownedTopicIds } from "../../src/vcluster/unowned-topic-ids.ts";
import { Tenant } from "../../src/vcluster/tenant.ts";

const METADATA = 3;
const DELETE_TOPICS = 20;
const A = "a".repeat(32);
const B = "b".repeat(32);
const C = "c".repeat(32);
const ZERO = "0".repeat(32);

function context(): RuleContext {
  return { tenant: new Tenant("vc-a", "vc-a."), version: 12, responseFixups: [] };
}

function applyFixups(ctx: RuleContext, res: Record<string, unknown>): void {
  for (const fix of ctx.responseFixups) fix(res);
}

describe("unowned topic ids answered by kgate", () => {
  test("Metadata: unowned by-id entries leave the request and come back as UNKNOWN_TOPIC_ID, in request order", () => {
    const ctx = context();
    const body: Record<string, unknown> = { topics: [{ topicId: A, name: null }, { topicId: ZERO, name: "vc-a.orders" }, { topicId: B, name: null }] };
    expect(answerUnownedTopicIds(METADATA, 12, body, new Set([A, B]), ctx)).toBe(2);
    expect(body.topics).toEqual([{ topicId: ZERO, name: "vc-a.orders" }]);
    const res: Record<string, unknown> = { topics: [{ topicId: C, name: "vc-a.orders", errorCode: 0 }] };
    applyFixups(ctx, res);
    const topics = res.topics as Array<Record<string, unknown>>;
    expect(topics.map((t) => [t.topicId, t.errorCode, t.name])).toEqual([[C, 0, "vc-a.orders"], [A, 100, null], [B, 100, null]]);
    expect(topics[1]!.partitions).toEqual([]);
  });

  test("DeleteTopics v6: the broker's answer for an unknown id, with its message", () => {
    const ctx = context();
    const body: Record<string, unknown> = { topics: [{ name: null, topicId: A }, { name: null, topicId: C }], topicNames: [], timeoutMs: 1000 };
    expect(answerUnownedTopicIds(DELETE_TOPICS, 6, body, new Set([A]), ctx)).toBe(1);
    expect(body.topics).toEqual([{ name: null, topicId: C }]);
    const res: Record<string, unknown> = { responses: [] };
    applyFixups(ctx, res);
    expect(res.responses).toEqual([{ name: null, topicId: A, errorCode: 100, errorMessage: "This server does not host this topic ID." }]);
  });

  test("versions without ids, all-topics requests and other APIs are left alone", () => {
    const ctx = context();
    expect(answerUnownedTopicIds(METADATA, 11, { topics: [{ topicId: A, name: null }] }, new Set([A]), ctx)).toBe(0);
    expect(answerUnownedTopicIds(METADATA, 12, { topics: null }, new Set([A]), ctx)).toBe(0);
    expect(answerUnownedTopicIds(DELETE_TOPICS, 5, { topics: [] }, new Set([A]), ctx)).toBe(0);
    expect(answerUnownedTopicIds(1, 15, { topics: [{ topicId: A }] }, new Set([A]), ctx)).toBe(0);
    expect(ctx.responseFixups.length).toBe(0);
  });
});
