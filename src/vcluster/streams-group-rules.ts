// Streams groups (KIP-1071) inside a vcluster. The generated entity metadata prefixes the group
// id and every topic name of the topology (source, repartition and changelog topics); what the
// specs leave unannotated is here: source-topic regexes (anchored inside the tenant's prefix,
// like KIP-848 subscriptions), the internal topics the broker creates from the topology (the
// tenant's topic policy applies to them as to CreateTopics), and the status details of a
// heartbeat answer (broker text naming backing topics).
//
// Internal topics are named `<application.id>-…` by the Streams client, and the application id
// is the group id: both reach the broker with the tenant's prefix, so the topics the broker
// creates for the group land under the prefix too.
import { ErrorCode } from "../protocol/error-codes.ts";
import { scrubMessage } from "./backing-leaks.ts";
import { type Refusal, type RuleContext, typedRule } from "./hand-rule.ts";
import { ApiKey } from "../protocol/messages/api-keys.ts";
import type { StreamsGroupHeartbeatRequest, Subtopology, TopicInfo } from "../protocol/messages/streams-group-heartbeat-request.ts";
import { anchoredRegexProblem, anchorRegex } from "./tenant-regex.ts";
import type { TopicPolicyContext } from "./topic-policy-lookup.ts";
import { configProblem, partitionsProblem, replicationProblem, vclusterPartitionsProblem } from "./topic-policy.ts";

/**
 * An internal topic of the topology: `name` is the backing name (prefixed by the generic pass),
 * `partitions` 0 means the broker derives it from the source topics, `replicationFactor` 0 the
 * broker's default.
 */
type InternalTopic = TopicInfo;

/** The topology is null in a heartbeat that does not (re)declare it. */
function subtopologies(body: StreamsGroupHeartbeatRequest): Subtopology[] {
  return body.topology?.subtopologies ?? [];
}

function anchorSourceRegexes(body: StreamsGroupHeartbeatRequest, ctx: Pick<RuleContext, "tenant">): Refusal | void {
  for (const s of subtopologies(body)) {
    const regexes = s.sourceTopicRegex;
    for (const regex of regexes) {
      const problem = anchoredRegexProblem(ctx.tenant, regex);
      if (problem) return { errorCode: ErrorCode.INVALID_REGULAR_EXPRESSION, message: `Invalid regular expression ${regex}: ${problem}` };
    }
    s.sourceTopicRegex = regexes.map((r) => anchorRegex(ctx.tenant, r));
  }
}

function internalTopics(body: StreamsGroupHeartbeatRequest): InternalTopic[] {
  return subtopologies(body).flatMap((s) => [...s.stateChangelogTopics, ...s.repartitionSourceTopics]);
}

/**
 * The broker creates the topology's missing internal topics itself, with the partitions,
 * replication factor and configs the heartbeat names: the topic policy checks them here, as
 * CreateTopics would. A derived partition count (0) is at most the largest count among the
 * topology's topics, which is what the vcluster-wide cap counts for it.
 */
async function internalTopicsProblem(body: StreamsGroupHeartbeatRequest, ctx: Pick<RuleContext, "tenant">, policy: TopicPolicyContext): Promise<string | null> {
  const topics = internalTopics(body);
  if (topics.length === 0) return null;
  const strip = (name: string) => ctx.tenant.strip(name) ?? "";
  for (const t of topics) {
    for (const c of t.topicConfigs) {
      const problem = configProblem(policy.policy, { name: c.key, value: c.value });
      if (problem) return `Internal topic "${strip(t.name)}": ${problem}`;
    }
    if (t.partitions > 0) {
      const problem = partitionsProblem(policy.policy, strip(t.name), t.partitions);
      if (problem) return problem;
    }
    if (t.replicationFactor > 0) {
      const problem = replicationProblem(policy.policy, strip(t.name), t.replicationFactor);
      if (problem) return problem;
    }
  }
  if (policy.policy.maxPartitionsPerVcluster == null) return null;
  const existing = await policy.partitions();
  const sources = subtopologies(body).flatMap((s) => s.sourceTopics);
  const widest = Math.max(1, ...topics.map((t) => t.partitions), ...sources.map((n) => existing.get(n) ?? 0));
  let total = [...existing.values()].reduce((a, b) => a + b, 0);
  for (const t of topics) {
    if (existing.has(t.name)) continue;
    total += t.partitions > 0 ? t.partitions : widest;
    const problem = vclusterPartitionsProblem(policy.policy, strip(t.name), total);
    if (problem) return problem;
  }
  return null;
}

export const streamsGroupHeartbeatRule = typedRule(ApiKey.StreamsGroupHeartbeat, {
  async request(body, ctx) {
    const refusal = anchorSourceRegexes(body, ctx);
    if (refusal) return refusal;
    const policy = ctx.topicPolicy;
    if (!policy || !body.topology) return;
    let problem: string | null;
    try {
      problem = await internalTopicsProblem(body, ctx, policy);
    } catch (e) {
      return { errorCode: ErrorCode.REQUEST_TIMED_OUT, message: `The topic policy could not be checked: ${(e as Error).message}` };
    }
    if (problem) {
      policy.log(`StreamsGroupHeartbeat refused: ${problem}`);
      return { errorCode: ErrorCode.POLICY_VIOLATION, message: problem };
    }
  },
  response(body, { tenant }) {
    // e.g. "Source topics vc-a.input are missing." or the internal topics the broker could not create.
    for (const s of body.status ?? []) s.statusDetail = scrubMessage(s.statusDetail, tenant);
  },
});
