// Name-bearing fields the Kafka specs leave unannotated, and per-API refusals that keep the rest
// of a request working: FindCoordinator keys, config resources, consumer-group regexes, topic
// name length, the DescribeTopicPartitions cursor.
import { ErrorCode } from "../protocol/error-codes.ts";
import { describeGroupsRule, joinGroupRule, syncGroupRule } from "./consumer-protocol-rules.ts";
import type { Tenant } from "./tenant.ts";
import { MAX_TOPIC_NAME_LENGTH } from "./tenant.ts";
import { anchoredRegexProblem, anchorRegex, fullMatcher, unanchorRegex } from "./tenant-regex.ts";
import { streamsGroupHeartbeatRule } from "./streams-group-rules.ts";
import { type HandRule, typedRule } from "./hand-rule.ts";
import {
  alterConfigsTopicPolicy,
  composeHandRules,
  createPartitionsPolicy,
  createTopicsPolicy,
  incrementalAlterConfigsTopicPolicy,
} from "./topic-policy-rules.ts";
import { ApiKey } from "../protocol/messages/api-keys.ts";
import { ConfigResourceType, ZERO_UUID } from "../protocol/messages/constants.ts";

// The rule types live in hand-rule.ts (the rule files import them from there, not from here).
export type { HandRule, Refusal, RuleContext } from "./hand-rule.ts";
export { typedRule };

const RESOURCE_TOPIC = ConfigResourceType.TOPIC;
const RESOURCE_GROUP = ConfigResourceType.GROUP;

function stripOrEmpty(tenant: Tenant, s: string): string {
  return tenant.strip(s) ?? "";
}

const findCoordinator = typedRule(ApiKey.FindCoordinator, {
  request(body, { tenant }) {
    // Group (0), transaction (1) and share-group (2) keys are all tenant names.
    body.key = tenant.add(body.key);
    body.coordinatorKeys = body.coordinatorKeys.map((k) => tenant.add(k));
  },
  response(body, { tenant }) {
    for (const c of body.coordinators) c.key = stripOrEmpty(tenant, c.key);
  },
});

/** What the three config APIs share per resource, in requests and responses alike. */
interface ConfigResource {
  resourceType: number;
  resourceName: string;
}

const isTenantResource = (r: ConfigResource) => r.resourceType === RESOURCE_TOPIC || r.resourceType === RESOURCE_GROUP;

/**
 * Config resources: topic and group names get the prefix; anything else (brokers, loggers,
 * client metrics) is cluster-level and is refused per resource with CLUSTER_AUTHORIZATION_FAILED
 * while the tenant's own resources go through. Returns the refused resources (still in the
 * client's names: they never reach the broker).
 */
function keepTenantResources<R extends ConfigResource>(body: { resources: R[] }, tenant: Tenant): R[] {
  const refused: R[] = [];
  const kept: R[] = [];
  for (const r of body.resources) {
    if (isTenantResource(r)) {
      r.resourceName = tenant.add(r.resourceName);
      kept.push(r);
    } else {
      refused.push(r);
    }
  }
  body.resources = kept;
  return refused;
}

function clusterResourceRefusal(r: ConfigResource) {
  return {
    errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
    errorMessage: "cluster-level resources are not available inside a virtual cluster",
    resourceType: r.resourceType,
    resourceName: r.resourceName,
  };
}

function stripResourceNames(results: ConfigResource[], tenant: Tenant): void {
  for (const r of results) if (isTenantResource(r)) r.resourceName = stripOrEmpty(tenant, r.resourceName);
}

const describeConfigs = typedRule(ApiKey.DescribeConfigs, {
  request(body, ctx) {
    const refused = keepTenantResources(body, ctx.tenant);
    if (refused.length === 0) return;
    ctx.responseFixups.push((res) => {
      for (const r of refused) res.results.push({ ...clusterResourceRefusal(r), configs: [] });
    });
  },
  response(body, { tenant }) {
    stripResourceNames(body.results, tenant);
  },
});

const alterConfigs = typedRule(ApiKey.AlterConfigs, {
  request(body, ctx) {
    const refused = keepTenantResources(body, ctx.tenant);
    if (refused.length === 0) return;
    ctx.responseFixups.push((res) => {
      for (const r of refused) res.responses.push(clusterResourceRefusal(r));
    });
  },
  response(body, { tenant }) {
    stripResourceNames(body.responses, tenant);
  },
});

const incrementalAlterConfigs = typedRule(ApiKey.IncrementalAlterConfigs, {
  request(body, ctx) {
    const refused = keepTenantResources(body, ctx.tenant);
    if (refused.length === 0) return;
    ctx.responseFixups.push((res) => {
      for (const r of refused) res.responses.push(clusterResourceRefusal(r));
    });
  },
  response(body, { tenant }) {
    stripResourceNames(body.responses, tenant);
  },
});

const createTopics = typedRule(ApiKey.CreateTopics, {
  request(body, ctx) {
    const tooLong: string[] = [];
    body.topics = body.topics.filter((t) => {
      // The generic pass has already prefixed the name.
      if (t.name.length <= MAX_TOPIC_NAME_LENGTH) return true;
      tooLong.push(ctx.tenant.strip(t.name) ?? "");
      return false;
    });
    if (tooLong.length === 0) return;
    const room = MAX_TOPIC_NAME_LENGTH - ctx.tenant.prefix.length;
    ctx.responseFixups.push((res) => {
      for (const name of tooLong) {
        res.topics.push({
          name,
          topicId: ZERO_UUID,
          errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION,
          errorMessage: `Topic name "${name}" is illegal, it can't be longer than ${room} characters in this virtual cluster`,
          numPartitions: -1,
          replicationFactor: -1,
          configs: null,
        });
      }
    });
  },
});

const consumerGroupHeartbeat = typedRule(ApiKey.ConsumerGroupHeartbeat, {
  request(body, { tenant }) {
    const regex = body.subscribedTopicRegex;
    // "" is the broker's "no regex" (it clears a regex subscription): anchored, it would
    // subscribe to a topic named like the bare prefix instead.
    if (regex === null || regex === "") return;
    const problem = anchoredRegexProblem(tenant, regex);
    if (problem) return { errorCode: ErrorCode.INVALID_REGULAR_EXPRESSION, message: `Invalid regular expression ${regex}: ${problem}` };
    body.subscribedTopicRegex = anchorRegex(tenant, regex);
  },
});

const consumerGroupDescribe = typedRule(ApiKey.ConsumerGroupDescribe, {
  response(body, { tenant }) {
    for (const g of body.groups) {
      for (const m of g.members) {
        if (typeof m.subscribedTopicRegex === "string" && m.subscribedTopicRegex !== "") {
          m.subscribedTopicRegex = unanchorRegex(tenant, m.subscribedTopicRegex);
        }
      }
    }
  },
});

const describeTopicPartitions = typedRule(ApiKey.DescribeTopicPartitions, {
  response(body, { tenant }) {
    // The generic pass cannot drop a cursor (it is no array entry). The tenant's topics are
    // contiguous in name order: a foreign cursor before them means "start at the tenant's
    // first topic", after them means "done".
    const cursor = body.nextCursor;
    if (!cursor || typeof cursor.topicName !== "string") return;
    const name = cursor.topicName;
    if (tenant.owns(name)) return;
    if (name < tenant.prefix) {
      cursor.topicName = tenant.prefix;
      cursor.partitionIndex = 0;
    } else {
      body.nextCursor = null;
    }
  },
});

/**
 * ListTransactions' id pattern would be matched against backing ids; kgate asks for the
 * tenant's transactions without it and applies the pattern (full match) to the tenant's names,
 * with RE2: linear time, so one tenant's pattern cannot stall the others (invariant 4).
 */
const listTransactions = typedRule(ApiKey.ListTransactions, {
  request(body, ctx) {
    const pattern = body.transactionalIdPattern;
    if (pattern === null || pattern === undefined) return;
    const matcher = fullMatcher(pattern);
    if (!matcher.ok) return { errorCode: ErrorCode.INVALID_REGULAR_EXPRESSION, message: `Invalid regular expression ${pattern}: ${matcher.problem}` };
    body.transactionalIdPattern = null;
    ctx.responseFixups.push((res) => {
      res.transactionStates = res.transactionStates.filter((t) => matcher.matches(t.transactionalId));
    });
  },
});

export const HAND_RULES: ReadonlyMap<number, HandRule> = new Map<ApiKey, HandRule>([
  [ApiKey.FindCoordinator, findCoordinator],
  [ApiKey.JoinGroup, joinGroupRule],
  [ApiKey.SyncGroup, syncGroupRule],
  [ApiKey.DescribeGroups, describeGroupsRule],
  [ApiKey.CreateTopics, composeHandRules(createTopics, createTopicsPolicy)],
  [ApiKey.DescribeConfigs, describeConfigs],
  [ApiKey.AlterConfigs, composeHandRules(alterConfigs, alterConfigsTopicPolicy)],
  [ApiKey.CreatePartitions, createPartitionsPolicy],
  [ApiKey.IncrementalAlterConfigs, composeHandRules(incrementalAlterConfigs, incrementalAlterConfigsTopicPolicy)],
  [ApiKey.ListTransactions, listTransactions],
  [ApiKey.ConsumerGroupHeartbeat, consumerGroupHeartbeat],
  [ApiKey.ConsumerGroupDescribe, consumerGroupDescribe],
  [ApiKey.DescribeTopicPartitions, describeTopicPartitions],
  [ApiKey.StreamsGroupHeartbeat, streamsGroupHeartbeatRule],
]);
