// Count quotas (quotas.maxTopics, quotas.maxPartitions) through the CreateTopics and
// CreatePartitions rules: topics over the count are answered POLICY_VIOLATION naming the limit,
// the rest go on; and a vcluster's quotas in the store (put, kept, replaced, read back checked).
import { describe, expect, test } from "bun:test";
import { ErrorCode } from "../../src/protocol/error-codes.ts";
import { putVcluster } from "../../src/store/mutations.ts";
import { vclusterSchema } from "../../src/store/record-schemas.ts";
import { EMPTY_STATE } from "../../src/store/records.ts";
import { applyStateRecord } from "../../src/store/state-topic-records.ts";
import { HAND_RULES, type RuleContext } from "../../src/vcluster/hand-rules.ts";
import type { CountLimits } from "../../src/vcluster/quota-counts.ts";
import { Tenant } from "../../src/vcluster/tenant.ts";
import type { TopicPolicyContext } from "../../src/vcluster/topic-policy-lookup.ts";

type Obj = Record<string, unknown>;
const tenant = new Tenant("vc-a", "vc-a.");

function context(counts: CountLimits, existing: Record<string, number>) {
  const partitions = new Map(Object.entries(existing).map(([k, v]) => [tenant.add(k), v]));
  const topicPolicy: TopicPolicyContext = {
    policy: {},
    counts,
    log: () => {},
    partitions: async () => partitions,
    brokerDefaults: async () => ({ numPartitions: 3, replicationFactor: 1 }),
  };
  const ctx: RuleContext = { tenant, version: 7, responseFixups: [], topicPolicy };
  return { ctx, partitions };
}

const newTopic = (name: string, numPartitions: number): Obj => ({
  name: tenant.add(name),
  numPartitions,
  replicationFactor: 1,
  assignments: [],
  configs: [],
});

async function run(apiKey: number, body: Obj, ctx: RuleContext, responseArray: string): Promise<Obj[]> {
  expect(await HAND_RULES.get(apiKey)!.request!(body, ctx)).toBeUndefined();
  const response: Obj = { [responseArray]: [] };
  for (const fix of ctx.responseFixups) fix(response);
  return response[responseArray] as Obj[];
}

describe("quotas.maxTopics and quotas.maxPartitions", () => {
  test("CreateTopics beyond the topic count: the topics over it refused, the others go on", async () => {
    const { ctx, partitions } = context({ maxTopics: 3 }, { a: 1 });
    const body: Obj = { topics: [newTopic("b", 1), newTopic("c", 1), newTopic("d", 1)], validateOnly: false };
    const refused = await run(19, body, ctx, "topics");
    expect((body.topics as Obj[]).map((t) => t.name)).toEqual(["vc-a.b", "vc-a.c"]);
    expect(refused).toHaveLength(1);
    expect(refused[0]!.name).toBe("d");
    expect(refused[0]!.errorCode).toBe(ErrorCode.POLICY_VIOLATION);
    expect(refused[0]!.errorMessage).toBe('Topic "d" would be topic 4 of this virtual cluster; it allows at most 3 (quotas.maxTopics)');
    // What went through is counted at once: the next request cannot slip past the count.
    expect(partitions.size).toBe(3);
  });

  test("a name the vcluster already has is not a new topic (the broker answers TOPIC_ALREADY_EXISTS)", async () => {
    const { ctx } = context({ maxTopics: 1 }, { a: 1 });
    const body: Obj = { topics: [newTopic("a", 1)], validateOnly: false };
    expect(await run(19, body, ctx, "topics")).toEqual([]);
    expect(body.topics as Obj[]).toHaveLength(1);
  });

  test("CreateTopics beyond the partition count, -1 read as the broker's default", async () => {
    const { ctx } = context({ maxPartitions: 5 }, { a: 2 });
    const body: Obj = { topics: [newTopic("b", -1), newTopic("c", 1)], validateOnly: true };
    const refused = await run(19, body, ctx, "topics");
    expect((body.topics as Obj[]).map((t) => t.name)).toEqual(["vc-a.b"]);
    expect(refused[0]!.errorMessage).toBe('Topic "c" would bring this virtual cluster to 6 partitions; it allows at most 5 (quotas.maxPartitions)');
  });

  test("CreatePartitions beyond the partition count", async () => {
    const { ctx } = context({ maxPartitions: 4 }, { a: 2, b: 1 });
    const body: Obj = { topics: [{ name: tenant.add("a"), count: 4, assignments: null }], timeoutMs: 1000, validateOnly: false };
    const refused = await run(37, body, ctx, "results");
    expect(body.topics as Obj[]).toEqual([]);
    expect(refused[0]!.errorCode).toBe(ErrorCode.POLICY_VIOLATION);
    expect(refused[0]!.errorMessage).toContain("at most 4 (quotas.maxPartitions)");
  });
});

describe("a vcluster's quotas in the store", () => {
  test("set at creation, kept by a put without them, replaced by a put with them", () => {
    const created = putVcluster(EMPTY_STATE, { name: "vc-a", quotas: { producerByteRate: 1000 } }, 0);
    expect(created.result.vcluster.quotas).toEqual({ producerByteRate: 1000 });
    const labelled = putVcluster(created.state, { name: "vc-a", labels: { team: "x" } }, 1);
    expect(labelled.result.vcluster.quotas).toEqual({ producerByteRate: 1000 });
    const replaced = putVcluster(labelled.state, { name: "vc-a", quotas: { principals: { bob: { maxConnections: 2 } } } }, 2);
    expect(replaced.result.vcluster.quotas).toEqual({ principals: { bob: { maxConnections: 2 } } });
    expect(putVcluster(replaced.state, { name: "vc-a", quotas: { principals: { bob: { maxConnections: 2 } } } }, 3).events).toEqual([]);
  });

  test("read back from the state topic with the same schema: a bad quota skips the record", () => {
    const record = { name: "vc-a", prefix: "vc-a.", createdAt: "2026-01-01T00:00:00.000Z", quotas: { consumerByteRate: 5e6, maxTopics: 9 } };
    expect(vclusterSchema.parse(record).quotas).toEqual({ consumerByteRate: 5e6, maxTopics: 9 });
    for (const quotas of [{ maxTopics: -1 }, { producerByteRate: "fast" }, { principals: { "bad name": {} } }, { unknown: 1 }]) {
      expect(vclusterSchema.safeParse({ ...record, quotas }).success).toBe(false);
      const applied = applyStateRecord(EMPTY_STATE, { key: "vcluster/vc-a", value: JSON.stringify({ ...record, quotas }) });
      expect(applied.ok).toBe(false);
    }
    const ok = applyStateRecord(EMPTY_STATE, { key: "vcluster/vc-a", value: JSON.stringify(record) });
    expect(ok.ok && ok.state.vclusters["vc-a"]!.quotas).toEqual({ consumerByteRate: 5e6, maxTopics: 9 });
  });
});
