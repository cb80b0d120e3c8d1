// Name-bearing fields the Kafka specs leave unannotated, and per-API refusals that keep the rest
// of a request working: FindCoordinator keys, config resources, consumer-group regexes, topic
// name length, the DescribeTopicPartitions cursor.
import { ErrorCode } from "../protocol/error-codes.ts";
import type { RequestOf, ResponseOf } from "../protocol/messages/api-keys.ts";
import { describeGroupsRule, joinGroupRule, syncGroupRule } from "./consumer-protocol-rules.ts";
import type { Tenant } from "./tenant.ts";
import { MAX_TOPIC_NAME_LENGTH } from "./tenant.ts";
import { anchoredRegexProblem, anchorRegex, fullMatcher, regexProblem, unanchorRegex } from "./tenant-regex.ts";
import { streamsGroupHeartbeatRule } from "./streams-group-rules.ts";

// Re-exported for code that imported them from here before they moved.
export { anchorRegex, regexProblem, unanchorRegex };
import type { TopicPolicyContext } from "./topic-policy-lookup.ts";
import {
  alterConfigsTopicPolicy,
  composeHandRules,
  createPartitionsPolicy,
  createTopicsPolicy,
  incrementalAlterConfigsTopicPolicy,
} from "./topic-policy-rules.ts";
import { ApiKey } from "../protocol/messages/api-keys.ts";
import { ConfigResourceType, ZERO_UUID } from "../protocol/messages/constants.ts";

type Obj = Record<string, unknown>;

export interface RuleContext {
  tenant: Tenant;
  version: number;
  /** Run on the decoded response after the generic rewriting (e.g. to add refused entries). */
  responseFixups: Array<(response: Obj) => void>;
  /** The tenant's topic policy, for the rules of CreateTopics, CreatePartitions and the config APIs. */
  topicPolicy?: TopicPolicyContext;
}

/** Answer the whole request locally with this top-level error. */
export interface Refusal {
  errorCode: number;
  message: string;
}

export interface HandRule {
  request?(body: Obj, ctx: RuleContext): Refusal | void | Promise<Refusal | void>;
  response?(body: Obj, ctx: RuleContext): void;
}

/** The context of a rule for one API: its response fix-ups see that API's response type. */
export interface TypedRuleContext<K extends ApiKey> extends Omit<RuleContext, "responseFixups"> {
  responseFixups: Array<(response: ResponseOf<K>) => void>;
}

/** A hand rule written against the generated types of one API: a misspelt field is a compile error. */
export interface TypedHandRule<K extends ApiKey> {
  request?(body: RequestOf<K>, ctx: TypedRuleContext<K>): Refusal | void | Promise<Refusal | void>;
  response?(body: ResponseOf<K>, ctx: TypedRuleContext<K>): void;
}

/** Files a typed rule under its API key (the exchange hands it the decoded message of that key). */
export function typedRule<K extends ApiKey>(_apiKey: K, rule: TypedHandRule<K>): HandRule {
  return rule as unknown as HandRule;
}

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

/**
 * Config resources: topic and group names get the prefix; anything else (brokers, loggers,
 * client metrics) is cluster-level and is refused per resource with CLUSTER_AUTHORIZATION_FAILED
 * while the tenant's own resources go through.
 */
function configRule(responseArray: "results" | "responses", withConfigs: boolean): HandRule {
  return {
    request(body, ctx) {
      const refused: Obj[] = [];
      const kept: Obj[] = [];
      for (const r of body.resources as Obj[]) {
        if (r.resourceType === RESOURCE_TOPIC || r.resourceType === RESOURCE_GROUP) {
          r.resourceName = ctx.tenant.add(r.resourceName as string);
          kept.push(r);
        } else {
          refused.push(r);
        }
      }
      body.resources = kept;
      if (refused.length > 0) {
        ctx.responseFixups.push((res) => {
          for (const r of refused) {
            const entry: Obj = {
              errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
              errorMessage: "cluster-level resources are not available inside a virtual cluster",
              resourceType: r.resourceType,
              resourceName: r.resourceName,
            };
            if (withConfigs) entry.configs = [];
            (res[responseArray] as Obj[]).push(entry);
          }
        });
      }
    },
    response(body, { tenant }) {
      for (const r of body[responseArray] as Obj[]) {
        if (r.resourceType === RESOURCE_TOPIC || r.resourceType === RESOURCE_GROUP) {
          r.resourceName = stripOrEmpty(tenant, r.resourceName as string);
        }
      }
    },
  };
}

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
  [ApiKey.DescribeConfigs, configRule("results", true)],
  [ApiKey.AlterConfigs, composeHandRules(configRule("responses", false), alterConfigsTopicPolicy)],
  [ApiKey.CreatePartitions, createPartitionsPolicy],
  [ApiKey.IncrementalAlterConfigs, composeHandRules(configRule("responses", false), incrementalAlterConfigsTopicPolicy)],
  [ApiKey.ListTransactions, listTransactions],
  [ApiKey.ConsumerGroupHeartbeat, consumerGroupHeartbeat],
  [ApiKey.ConsumerGroupDescribe, consumerGroupDescribe],
  [ApiKey.DescribeTopicPartitions, describeTopicPartitions],
  [ApiKey.StreamsGroupHeartbeat, streamsGroupHeartbeatRule],
]);
