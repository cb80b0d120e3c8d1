// The topic policy of a vcluster: the pure checks (each names its limit), the merge of a
// vcluster's own policy over the defaults, and the hand rules that take violating topics out
// of a request and answer them POLICY_VIOLATION while the rest goes on.
import { describe, expect, test } from "bun:test";
import { ErrorCode } from "../../src/protocol/error-codes.ts";
import { putVcluster } from "../../src/store/mutations.ts";
import { vclusterSchema } from "../../src/store/record-schemas.ts";
import { EMPTY_STATE } from "../../src/store/records.ts";
import { HAND_RULES, type RuleContext } from "../../src/vcluster/hand-rules.ts";
import { Tenant } from "../../src/vcluster/tenant.ts";
import { LookupTimeout, TopicPolicies, type TopicPolicyContext } from "../../src/vcluster/topic-policy-lookup.ts";
import { configProblem, newTopicProblem, vclusterPartitionsProblem } from "../../src/vcluster/topic-policy.ts";
import { effectiveTopicPolicy, type TopicPolicy, topicPolicySchema } from "../../src/model/topic-policy-schema.ts";

type Obj = Record<string, unknown>;

const tenant = new Tenant("vc-a", "vc-a.");
const POLICY: TopicPolicy = {
  maxPartitionsPerTopic: 4,
  maxPartitionsPerVcluster: 10,
  maxReplicationFactor: 1,
  allowedConfigs: ["retention.ms", "cleanup.policy"],
  configRanges: { "retention.ms": { min: 1000, max: 86_400_000 } },
};

function context(policy: TopicPolicy, existing: Record<string, number> = {}, defaults = { numPartitions: 3, replicationFactor: 1 }) {
  let lookups = 0;
  const logged: string[] = [];
  const topicPolicy: TopicPolicyContext = {
    policy,
    log: (line) => logged.push(line),
    partitions: async () => {
      lookups++;
      return new Map(Object.entries(existing).map(([k, v]) => [tenant.add(k), v]));
    },
    brokerDefaults: async () => defaults,
  };
  const ctx: RuleContext = { tenant, version: 7, responseFixups: [], topicPolicy };
  return { ctx, lookups: () => lookups, logged };
}

function newTopic(name: string, numPartitions: number, configs: Record<string, string | null> = {}, assignments: number[][] = []): Obj {
  return {
    name: tenant.add(name),
    numPartitions,
    replicationFactor: assignments.length ? -1 : 1,
    assignments: assignments.map((brokerIds, partitionIndex) => ({ partitionIndex, brokerIds })),
    configs: Object.entries(configs).map(([name, value]) => ({ name, value })),
  };
}

/** Runs the registered rule for `apiKey` and its response fixups on an empty broker answer. */
async function applyRule(apiKey: number, body: Obj, ctx: RuleContext, responseArray: string): Promise<Obj[]> {
  const refusal = await HAND_RULES.get(apiKey)!.request!(body, ctx);
  expect(refusal).toBeUndefined();
  const response: Obj = { [responseArray]: [] };
  for (const fix of ctx.responseFixups) fix(response);
  return response[responseArray] as Obj[];
}

describe("topic policy checks", () => {
  test("each limit, when broken, is named in the message", () => {
    const topic = { name: "t", numPartitions: 1, replicationFactor: 1, manualAssignment: false, configs: [] };
    expect(newTopicProblem(POLICY, topic)).toBeNull();
    expect(newTopicProblem(POLICY, { ...topic, numPartitions: 5 })).toContain("at most 4 per topic (maxPartitionsPerTopic)");
    expect(newTopicProblem(POLICY, { ...topic, replicationFactor: 3 })).toContain("(maxReplicationFactor)");
    expect(newTopicProblem(POLICY, { ...topic, manualAssignment: true })).toContain("allowReplicaAssignment");
    expect(newTopicProblem(POLICY, { ...topic, configs: [{ name: "min.insync.replicas", value: "2" }] })).toContain(
      'Config "min.insync.replicas" is not allowed in this virtual cluster (allowedConfigs: retention.ms, cleanup.policy)',
    );
    expect(vclusterPartitionsProblem(POLICY, "t", 11)).toContain("at most 10 (maxPartitionsPerVcluster)");
    expect(vclusterPartitionsProblem(POLICY, "t", 10)).toBeNull();
  });

  test("ranges: bounds inclusive, -1 is unlimited (above any max), non-numbers refused, null (default) fine", () => {
    const check = (value: string | null) => configProblem(POLICY, { name: "retention.ms", value });
    expect(check("86400000")).toBeNull();
    expect(check("1000")).toBeNull();
    expect(check("86400001")).toContain("above the maximum 86400000");
    expect(check("999")).toContain("below the minimum 1000");
    expect(check("-1")).toContain("configRanges.retention.ms.max");
    expect(check("1e99")).toContain("above the maximum");
    expect(check("soon")).toContain("must be a number");
    expect(check(null)).toBeNull();
    // Without an allow-list any name passes, ranges still apply.
    expect(configProblem({ configRanges: POLICY.configRanges }, { name: "segment.ms", value: "1" })).toBeNull();
    expect(configProblem({ configRanges: POLICY.configRanges }, { name: "retention.ms", value: "1" })).toContain("minimum");
  });

  test("a vcluster's own policy overrides field by field; null lifts a default", () => {
    const merged = effectiveTopicPolicy(POLICY, { maxPartitionsPerTopic: 1, allowedConfigs: null });
    expect(merged.maxPartitionsPerTopic).toBe(1);
    expect(merged.allowedConfigs).toBeNull();
    expect(merged.maxPartitionsPerVcluster).toBe(10);
    expect(configProblem(merged, { name: "segment.ms", value: "5" })).toBeNull();
    expect(effectiveTopicPolicy(POLICY, undefined)).toEqual(POLICY);
  });

  test("the schema refuses nonsense with the path of the bad field", () => {
    expect(topicPolicySchema.safeParse(POLICY).success).toBe(true);
    const bad = topicPolicySchema.safeParse({ maxPartitionsPerTopic: 0, configRanges: { "retention.ms": { min: 5, max: 1 } }, extra: 1 });
    expect(bad.success).toBe(false);
    const paths = bad.error!.issues.map((i) => i.path.join("."));
    expect(paths).toContain("maxPartitionsPerTopic");
    expect(paths).toContain("configRanges.retention.ms");
    expect(bad.error!.issues.some((i) => i.code === "unrecognized_keys")).toBe(true);
  });
});

describe("topic policy hand rules", () => {
  test("CreateTopics: violating topics answered POLICY_VIOLATION with their own name; the rest forwarded", async () => {
    const { ctx, logged } = context(POLICY, { old: 6 });
    const body: Obj = {
      topics: [
        newTopic("ok", 2),
        newTopic("wide", 5),
        newTopic("bad-config", 1, { "segment.ms": "1" }),
        newTopic("placed", -1, {}, [[1]]),
        newTopic("over", 4),
      ],
    };
    const refused = await applyRule(19, body, ctx, "topics");
    expect((body.topics as Obj[]).map((t) => t.name)).toEqual(["vc-a.ok"]);
    const byName = new Map(refused.map((r) => [r.name, r]));
    expect([...byName.keys()].sort()).toEqual(["bad-config", "over", "placed", "wide"]);
    for (const r of refused) expect(r.errorCode).toBe(ErrorCode.POLICY_VIOLATION);
    expect(byName.get("wide")!.errorMessage).toContain("maxPartitionsPerTopic");
    expect(byName.get("bad-config")!.errorMessage).toContain("segment.ms");
    expect(byName.get("placed")!.errorMessage).toContain("allowReplicaAssignment");
    // 6 existing + 2 ("ok") + 4 > 10
    expect(byName.get("over")!.errorMessage).toContain("to 12 partitions; it allows at most 10 (maxPartitionsPerVcluster)");
    // One log line for the request, not one per topic.
    expect(logged).toEqual([expect.stringMatching(/^CreateTopics refused for topic "wide" \(and 3 more\): .*maxPartitionsPerTopic/)]);
  });

  test("CreateTopics: the vcluster cap counts existing topics, earlier topics of the request, and -1 as the broker default", async () => {
    const { ctx, lookups } = context({ maxPartitionsPerVcluster: 10 }, { old: 5 }, { numPartitions: 3, replicationFactor: 1 });
    const body: Obj = { topics: [newTopic("a", 3), newTopic("dflt", -1), newTopic("b", 1)] };
    const refused = await applyRule(19, body, ctx, "topics");
    // 5 + 3 = 8, then -1 → 3 makes 11 > 10: refused; "b" (1) makes 9: fine.
    expect((body.topics as Obj[]).map((t) => t.name)).toEqual(["vc-a.a", "vc-a.b"]);
    expect(refused.map((r) => r.name)).toEqual(["dflt"]);
    expect(refused[0]!.errorMessage).toContain("to 11 partitions; it allows at most 10 (maxPartitionsPerVcluster)");
    expect(lookups()).toBe(1);
  });

  test("no vcluster cap: the tenant's partitions are not looked up", async () => {
    const { ctx, lookups } = context({ maxPartitionsPerTopic: 4 });
    await applyRule(19, { topics: [newTopic("a", 3)] }, ctx, "topics");
    expect(lookups()).toBe(0);
  });

  test("CreatePartitions: assignments, the per-topic limit and the vcluster cap (growth only counts the new partitions)", async () => {
    const { ctx } = context(POLICY, { a: 2, b: 4, c: 2 });
    const body: Obj = {
      topics: [
        { name: "vc-a.a", count: 3, assignments: [{ brokerIds: [1] }] },
        { name: "vc-a.b", count: 5, assignments: null },
        { name: "vc-a.c", count: 4, assignments: null },
        { name: "vc-a.a", count: 3, assignments: null },
      ],
      timeoutMs: 1000,
      validateOnly: false,
    };
    const refused = await applyRule(37, body, ctx, "results");
    // 8 existing; c: 2 → 4 makes 10 (fine); then a: 2 → 3 makes 11 (over the cap).
    expect((body.topics as Obj[]).map((t) => t.name)).toEqual(["vc-a.c"]);
    expect(refused.map((r) => [r.name, r.errorCode])).toEqual([
      ["a", ErrorCode.POLICY_VIOLATION],
      ["b", ErrorCode.POLICY_VIOLATION],
      ["a", ErrorCode.POLICY_VIOLATION],
    ]);
    expect(refused[0]!.errorMessage).toContain("allowReplicaAssignment");
    expect(refused[1]!.errorMessage).toContain("maxPartitionsPerTopic");
    expect(refused[2]!.errorMessage).toContain("maxPartitionsPerVcluster");
  });

  test("IncrementalAlterConfigs: SET is range-checked, APPEND only name-checked, DELETE always allowed; other resources untouched", async () => {
    const { ctx } = context(POLICY);
    const body: Obj = {
      resources: [
        { resourceType: 2, resourceName: "t1", configs: [{ name: "retention.ms", configOperation: 0, value: "99999999999" }] },
        { resourceType: 2, resourceName: "t2", configs: [{ name: "segment.ms", configOperation: 1, value: null }] },
        { resourceType: 2, resourceName: "t3", configs: [{ name: "cleanup.policy", configOperation: 2, value: "compact" }] },
        { resourceType: 2, resourceName: "t4", configs: [{ name: "leader.replication.throttled.replicas", configOperation: 2, value: "0:1" }] },
        { resourceType: 32, resourceName: "g", configs: [{ name: "consumer.session.timeout.ms", configOperation: 0, value: "1" }] },
      ],
      validateOnly: false,
    };
    const refused = await applyRule(44, body, ctx, "responses");
    expect((body.resources as Obj[]).map((r) => r.resourceName)).toEqual(["vc-a.t2", "vc-a.t3", "vc-a.g"]);
    expect(refused.map((r) => r.resourceName)).toEqual(["t1", "t4"]);
    expect(refused[0]!.errorMessage).toContain("above the maximum 86400000");
    expect(refused[1]!.errorMessage).toContain("leader.replication.throttled.replicas");
  });

  test("AlterConfigs: every config named is a SET", async () => {
    const { ctx } = context(POLICY);
    const body: Obj = {
      resources: [
        { resourceType: 2, resourceName: "t1", configs: [{ name: "retention.ms", value: "5000" }] },
        { resourceType: 2, resourceName: "t2", configs: [{ name: "retention.ms", value: "5000" }, { name: "max.message.bytes", value: "1" }] },
      ],
      validateOnly: false,
    };
    const refused = await applyRule(33, body, ctx, "responses");
    expect((body.resources as Obj[]).map((r) => r.resourceName)).toEqual(["vc-a.t1"]);
    expect(refused).toEqual([{
      errorCode: ErrorCode.POLICY_VIOLATION,
      errorMessage: expect.stringContaining("max.message.bytes"),
      resourceType: 2,
      resourceName: "t2",
    }]);
  });

  test("a failed lookup answers each topic with an error instead of letting it through", async () => {
    for (
      const [error, code] of [[new Error("backing down"), ErrorCode.UNKNOWN_SERVER_ERROR], [
        new LookupTimeout("backing slow"),
        ErrorCode.REQUEST_TIMED_OUT,
      ]] as const
    ) {
      const { ctx } = context(POLICY);
      ctx.topicPolicy = { ...ctx.topicPolicy!, partitions: () => Promise.reject(error) };
      const body: Obj = { topics: [newTopic("a", 1)] };
      const refused = await applyRule(19, body, ctx, "topics");
      expect(body.topics).toEqual([]);
      expect(refused.map((r) => [r.name, r.errorCode])).toEqual([["a", code]]);
      expect(refused[0]!.errorMessage).toContain(error.message);
    }
  });

  test("without a policy context (passthrough tooling, older wiring) the rules change nothing", async () => {
    const ctx: RuleContext = { tenant, version: 7, responseFixups: [] };
    const body: Obj = { topics: [newTopic("wide", 500)] };
    await applyRule(19, body, ctx, "topics");
    expect((body.topics as Obj[]).length).toBe(1);
  });
});

describe("topic policy lookups", () => {
  /** A backing cluster answering Metadata with `topics` (name → partitions), counting the calls. */
  function backing(topics: Record<string, number>) {
    const calls: number[] = [];
    const lookup = async (apiKey: number) => {
      calls.push(apiKey);
      await new Promise((r) => setTimeout(r, 5));
      return {
        topics: Object.entries(topics).map(([name, n]) => ({
          name,
          errorCode: 0,
          topicId: ZERO,
          partitions: Array.from({ length: n }, (_, i) => ({ partitionIndex: i })),
        })),
      };
    };
    return { lookup, calls };
  }
  const ZERO = "0".repeat(32);

  test("counts only the tenant's topics, takes the vcluster's own policy over the defaults at each request", async () => {
    const { lookup } = backing({ "vc-a.x": 2, "vc-a.y": 3, "vc-b.z": 50, "_kgate_state": 1 });
    // deno-lint-ignore prefer-const -- read by a closure and assigned later in the test
    let own: TopicPolicy | undefined;
    const policies = new TopicPolicies({ maxPartitionsPerVcluster: 10 }, () => own, lookup);
    const counts = await policies.forTenant(tenant).partitions();
    expect([...counts.entries()].sort()).toEqual([["vc-a.x", 2], ["vc-a.y", 3]]);
    expect(policies.forTenant(tenant).policy.maxPartitionsPerVcluster).toBe(10);
    own = { maxPartitionsPerVcluster: 20 };
    expect(policies.forTenant(tenant).policy.maxPartitionsPerVcluster).toBe(20);
  });

  test("concurrent CreateTopics share one lookup and cannot both pass the cap", async () => {
    const { lookup, calls } = backing({ "vc-a.x": 2 });
    const policies = new TopicPolicies({ maxPartitionsPerVcluster: 5 }, () => undefined, lookup);
    const attempt = async (name: string) => {
      const ctx: RuleContext = { tenant, version: 7, responseFixups: [], topicPolicy: policies.forTenant(tenant) };
      const body: Obj = { topics: [newTopic(name, 3)], validateOnly: false };
      await HAND_RULES.get(19)!.request!(body, ctx);
      return (body.topics as Obj[]).length;
    };
    const passed = await Promise.all([attempt("p"), attempt("q")]);
    expect(passed.sort()).toEqual([0, 1]);
    expect(calls).toEqual([3]);
  });
});

describe("a vcluster's topic policy in the store", () => {
  test("set at creation, replaced by a later put, kept when a put does not mention it", () => {
    const created = putVcluster(EMPTY_STATE, { name: "vc-a", topicPolicy: { maxPartitionsPerTopic: 2 } }, 0);
    expect(created.result.vcluster.topicPolicy).toEqual({ maxPartitionsPerTopic: 2 });
    const labelled = putVcluster(created.state, { name: "vc-a", labels: { team: "x" } }, 1);
    expect(labelled.result.vcluster.topicPolicy).toEqual({ maxPartitionsPerTopic: 2 });
    const replaced = putVcluster(labelled.state, { name: "vc-a", topicPolicy: { allowedConfigs: null } }, 2);
    expect(replaced.result.vcluster.topicPolicy).toEqual({ allowedConfigs: null });
    expect(replaced.events.map((e) => e.type)).toEqual(["vcluster-upserted"]);
    expect(putVcluster(replaced.state, { name: "vc-a", topicPolicy: { allowedConfigs: null } }, 3).events).toEqual([]);
  });

  test("read back with the record, and held to the same schema", () => {
    const record = { name: "vc-a", prefix: "vc-a.", createdAt: "2026-01-01T00:00:00.000Z", topicPolicy: { maxPartitionsPerVcluster: 9 } };
    expect(vclusterSchema.parse(record).topicPolicy).toEqual({ maxPartitionsPerVcluster: 9 });
    expect(vclusterSchema.safeParse({ ...record, topicPolicy: { maxPartitionsPerVcluster: "lots" } }).success).toBe(false);
  });
});
