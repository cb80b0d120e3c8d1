// The topic policy as hand rules for CreateTopics, CreatePartitions, AlterConfigs and
// IncrementalAlterConfigs: each topic (or topic config resource) that breaks the policy is
// taken out of the request and answered POLICY_VIOLATION with the limit in the message; the
// rest of the request goes to the broker as usual. Names in the request are already prefixed.
import { ErrorCode } from "../protocol/error-codes.ts";
import { type HandRule, type RuleContext, typedRule, type TypedRuleContext } from "./hand-rule.ts";
import { LookupTimeout, type TopicPolicyContext } from "./topic-policy-lookup.ts";
import {
  assignmentProblem,
  configNameProblem,
  configProblem,
  type ConfigValue,
  newTopicProblem,
  partitionsProblem,
  vclusterPartitionsProblem,
} from "./topic-policy.ts";
import { ApiKey } from "../protocol/messages/api-keys.ts";
import { ConfigResourceType, ZERO_UUID } from "../protocol/messages/constants.ts";
import { hasCountLimits, partitionCountProblem, topicCountProblem } from "./quota-counts.ts";

const RESOURCE_TOPIC = ConfigResourceType.TOPIC;
const OP_SET = 0;
const OP_DELETE = 1;
const ZERO_TOPIC_ID = ZERO_UUID;

interface Refused {
  /** The tenant's own name. */
  name: string;
  errorCode: number;
  message: string;
}

/** Runs `rules` one after the other on the same request and response. */
export function composeHandRules(...rules: HandRule[]): HandRule {
  return {
    async request(body, ctx) {
      for (const r of rules) {
        const refusal = await r.request?.(body, ctx);
        if (refusal) return refusal;
      }
    },
    response(body, ctx) {
      for (const r of rules) r.response?.(body, ctx);
    },
  };
}

/** The vcluster's partition total, fetched only when a vcluster limit (policy or quota) is set. */
async function vclusterPartitions(policy: TopicPolicyContext): Promise<Map<string, number> | null> {
  return policy.policy.maxPartitionsPerVcluster == null && !hasCountLimits(policy.counts) ? null : await policy.partitions();
}

function lookupFailed(tenantName: string, e: unknown): Refused {
  return {
    name: tenantName,
    errorCode: e instanceof LookupTimeout ? ErrorCode.REQUEST_TIMED_OUT : ErrorCode.UNKNOWN_SERVER_ERROR,
    message: `The topic policy could not be checked: ${(e as Error).message}`,
  };
}

const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);

export const createTopicsPolicy = typedRule(ApiKey.CreateTopics, {
  async request(body, ctx) {
    const policy = ctx.topicPolicy;
    if (!policy) return;
    const refused: Refused[] = [];
    const topics = body.topics;
    let existing: Map<string, number> | null;
    let defaults: { numPartitions: number; replicationFactor: number } | null = null;
    try {
      existing = await vclusterPartitions(policy);
      const needsDefaults = topics.some((t) => t.assignments.length === 0 && (t.numPartitions === -1 || t.replicationFactor === -1));
      if (needsDefaults) defaults = await policy.brokerDefaults();
    } catch (e) {
      body.topics = [];
      refusalFixup(ctx, topics.map((t) => lookupFailed(tenantName(ctx, t.name), e)));
      return;
    }
    let total = existing ? sum(existing) : 0;
    let topicCount = existing ? existing.size : 0;
    body.topics = topics.filter((t) => {
      const name = tenantName(ctx, t.name);
      const assignments = t.assignments;
      const manual = assignments.length > 0;
      const numPartitions = manual ? assignments.length : t.numPartitions === -1 ? defaults!.numPartitions : t.numPartitions;
      const replicationFactor = manual
        ? Math.max(0, ...assignments.map((a) => a.brokerIds.length))
        : t.replicationFactor === -1
        ? defaults!.replicationFactor
        : t.replicationFactor;
      const message = newTopicProblem(policy.policy, {
        name,
        numPartitions,
        replicationFactor,
        manualAssignment: manual,
        configs: t.configs,
      }) ?? (existing ? vclusterPartitionsProblem(policy.policy, name, total + numPartitions) : null) ??
        // A name the vcluster has already is no new topic: the broker answers TOPIC_ALREADY_EXISTS.
        (existing?.has(t.name)
          ? null
          : topicCountProblem(policy.counts, name, topicCount + 1) ?? partitionCountProblem(policy.counts, name, total + numPartitions));
      if (message) {
        refused.push({ name, errorCode: ErrorCode.POLICY_VIOLATION, message });
        return false;
      }
      if (!existing?.has(t.name)) topicCount++;
      total += numPartitions;
      if (!body.validateOnly) existing?.set(t.name, Math.max(existing.get(t.name) ?? 0, numPartitions));
      return true;
    });
    refusalFixup(ctx, refused);
  },
});

/** One line per request, however many topics it refused (bounded log volume). */
function logRefusals(ctx: Pick<RuleContext, "topicPolicy">, api: string, refused: readonly Refused[]): void {
  if (refused.length === 0) return;
  const more = refused.length > 1 ? ` (and ${refused.length - 1} more)` : "";
  ctx.topicPolicy?.log(`${api} refused for topic "${refused[0]!.name}"${more}: ${refused[0]!.message}`);
}

function refusalFixup(ctx: TypedRuleContext<typeof ApiKey.CreateTopics>, refused: Refused[]): void {
  logRefusals(ctx, "CreateTopics", refused);
  if (refused.length === 0) return;
  ctx.responseFixups.push((res) => {
    for (const r of refused) {
      res.topics.push({
        name: r.name,
        topicId: ZERO_TOPIC_ID,
        errorCode: r.errorCode,
        errorMessage: r.message,
        numPartitions: -1,
        replicationFactor: -1,
        configs: null,
      });
    }
  });
}

export const createPartitionsPolicy = typedRule(ApiKey.CreatePartitions, {
  async request(body, ctx) {
    const policy = ctx.topicPolicy;
    if (!policy) return;
    const topics = body.topics;
    const refused: Refused[] = [];
    let existing: Map<string, number> | null;
    try {
      existing = await vclusterPartitions(policy);
    } catch (e) {
      body.topics = [];
      existing = null;
      refused.push(...topics.map((t) => lookupFailed(tenantName(ctx, t.name), e)));
    }
    body.topics = body.topics.filter((t) => {
      const backingName = t.name;
      const name = tenantName(ctx, backingName);
      const count = t.count;
      let message = t.assignments?.length ? assignmentProblem(policy.policy) : null;
      message ??= partitionsProblem(policy.policy, name, count);
      if (!message && existing) {
        const before = existing.get(backingName) ?? 0;
        const total = sum(existing) - before + Math.max(before, count);
        message = vclusterPartitionsProblem(policy.policy, name, total) ?? partitionCountProblem(policy.counts, name, total);
        if (!message && !body.validateOnly) existing.set(backingName, Math.max(before, count));
      }
      if (message) refused.push({ name, errorCode: ErrorCode.POLICY_VIOLATION, message });
      return !message;
    });
    logRefusals(ctx, "CreatePartitions", refused);
    if (refused.length === 0) return;
    ctx.responseFixups.push((res) => {
      for (const r of refused) res.results.push({ name: r.name, errorCode: r.errorCode, errorMessage: r.message });
    });
  },
});

/** A config resource of AlterConfigs or IncrementalAlterConfigs (their shapes differ only per config). */
interface AlteredResource<C extends ConfigValue> {
  resourceType: number;
  resourceName: string;
  configs: C[];
}

/**
 * Takes the topic resources that break the policy out of `body` and returns them. AlterConfigs
 * sets every config it names; IncrementalAlterConfigs says per config what it does (`operation`).
 */
function refuseAlteredConfigs<C extends ConfigValue>(
  body: { resources: AlteredResource<C>[] },
  ctx: Pick<RuleContext, "tenant">,
  policy: TopicPolicyContext,
  operation: (config: C) => number,
): Refused[] {
  const refused: Refused[] = [];
  body.resources = body.resources.filter((r) => {
    if (r.resourceType !== RESOURCE_TOPIC) return true;
    let message: string | null = null;
    for (const c of r.configs) {
      const op = operation(c);
      // Deleting returns to the broker's default; appending to a list config has no range.
      if (op === OP_DELETE) continue;
      const config = { name: c.name, value: c.value };
      message = op === OP_SET ? configProblem(policy.policy, config) : configNameProblem(policy.policy, config.name);
      if (message) break;
    }
    if (message) refused.push({ name: tenantName(ctx, r.resourceName), errorCode: ErrorCode.POLICY_VIOLATION, message });
    return !message;
  });
  return refused;
}

/** The answer to a refused config resource: AlterConfigs and IncrementalAlterConfigs alike. */
const configRefusal = (r: Refused) => ({ errorCode: r.errorCode, errorMessage: r.message, resourceType: RESOURCE_TOPIC, resourceName: r.name });

export const alterConfigsTopicPolicy = typedRule(ApiKey.AlterConfigs, {
  request(body, ctx) {
    const policy = ctx.topicPolicy;
    if (!policy) return;
    const refused = refuseAlteredConfigs(body, ctx, policy, () => OP_SET);
    logRefusals(ctx, "AlterConfigs", refused);
    if (refused.length === 0) return;
    ctx.responseFixups.push((res) => {
      for (const r of refused) res.responses.push(configRefusal(r));
    });
  },
});

export const incrementalAlterConfigsTopicPolicy = typedRule(ApiKey.IncrementalAlterConfigs, {
  request(body, ctx) {
    const policy = ctx.topicPolicy;
    if (!policy) return;
    const refused = refuseAlteredConfigs(body, ctx, policy, (c) => c.configOperation);
    logRefusals(ctx, "IncrementalAlterConfigs", refused);
    if (refused.length === 0) return;
    ctx.responseFixups.push((res) => {
      for (const r of refused) res.responses.push(configRefusal(r));
    });
  },
});

function tenantName(ctx: Pick<RuleContext, "tenant">, backingName: string): string {
  return ctx.tenant.strip(backingName) ?? "";
}
