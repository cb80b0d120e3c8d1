// Name-bearing fields the Kafka specs leave unannotated, and per-API refusals that keep the rest
// of a request working: FindCoordinator keys, config resources, consumer-group regexes, topic
// name length, the DescribeTopicPartitions cursor.
import { ErrorCode } from "../protocol/error-codes.ts";
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

const RESOURCE_TOPIC = 2;
const RESOURCE_GROUP = 32;

function stripOrEmpty(tenant: Tenant, s: string): string {
  return tenant.strip(s) ?? "";
}

const findCoordinator: HandRule = {
  request(body, { tenant }) {
    // Group (0), transaction (1) and share-group (2) keys are all tenant names.
    body.key = tenant.add(body.key as string);
    body.coordinatorKeys = (body.coordinatorKeys as string[]).map((k) => tenant.add(k));
  },
  response(body, { tenant }) {
    for (const c of body.coordinators as Obj[]) c.key = stripOrEmpty(tenant, c.key as string);
  },
};

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

const createTopics: HandRule = {
  request(body, ctx) {
    const tooLong: string[] = [];
    body.topics = (body.topics as Obj[]).filter((t) => {
      // The generic pass has already prefixed the name.
      if ((t.name as string).length <= MAX_TOPIC_NAME_LENGTH) return true;
      tooLong.push(ctx.tenant.strip(t.name as string) ?? "");
      return false;
    });
    if (tooLong.length === 0) return;
    const room = MAX_TOPIC_NAME_LENGTH - ctx.tenant.prefix.length;
    ctx.responseFixups.push((res) => {
      for (const name of tooLong) {
        (res.topics as Obj[]).push({
          name,
          topicId: "0".repeat(32),
          errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION,
          errorMessage: `Topic name "${name}" is illegal, it can't be longer than ${room} characters in this virtual cluster`,
          numPartitions: -1,
          replicationFactor: -1,
          configs: null,
        });
      }
    });
  },
};

const consumerGroupHeartbeat: HandRule = {
  request(body, { tenant }) {
    const regex = body.subscribedTopicRegex as string | null;
    // "" is the broker's "no regex" (it clears a regex subscription): anchored, it would
    // subscribe to a topic named like the bare prefix instead.
    if (regex === null || regex === "") return;
    const problem = anchoredRegexProblem(tenant, regex);
    if (problem) return { errorCode: ErrorCode.INVALID_REGULAR_EXPRESSION, message: `Invalid regular expression ${regex}: ${problem}` };
    body.subscribedTopicRegex = anchorRegex(tenant, regex);
  },
};

const consumerGroupDescribe: HandRule = {
  response(body, { tenant }) {
    for (const g of body.groups as Obj[]) {
      for (const m of g.members as Obj[]) {
        if (typeof m.subscribedTopicRegex === "string" && m.subscribedTopicRegex !== "") {
          m.subscribedTopicRegex = unanchorRegex(tenant, m.subscribedTopicRegex);
        }
      }
    }
  },
};

const describeTopicPartitions: HandRule = {
  response(body, { tenant }) {
    // The generic pass cannot drop a cursor (it is no array entry). The tenant's topics are
    // contiguous in name order: a foreign cursor before them means "start at the tenant's
    // first topic", after them means "done".
    const cursor = body.nextCursor as Obj | null;
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
};

/**
 * ListTransactions' id pattern would be matched against backing ids; kgate asks for the
 * tenant's transactions without it and applies the pattern (full match) to the tenant's names,
 * with RE2: linear time, so one tenant's pattern cannot stall the others (invariant 4).
 */
const listTransactions: HandRule = {
  request(body, ctx) {
    const pattern = body.transactionalIdPattern as string | null;
    if (pattern === null || pattern === undefined) return;
    const matcher = fullMatcher(pattern);
    if (!matcher.ok) return { errorCode: ErrorCode.INVALID_REGULAR_EXPRESSION, message: `Invalid regular expression ${pattern}: ${matcher.problem}` };
    body.transactionalIdPattern = null;
    ctx.responseFixups.push((res) => {
      res.transactionStates = (res.transactionStates as Obj[]).filter((t) => matcher.matches(t.transactionalId as string));
    });
  },
};

export const HAND_RULES: ReadonlyMap<number, HandRule> = new Map<number, HandRule>([
  [10, findCoordinator],
  [11, joinGroupRule],
  [14, syncGroupRule],
  [15, describeGroupsRule],
  [19, composeHandRules(createTopics, createTopicsPolicy)],
  [32, configRule("results", true)],
  [33, composeHandRules(configRule("responses", false), alterConfigsTopicPolicy)],
  [37, createPartitionsPolicy],
  [44, composeHandRules(configRule("responses", false), incrementalAlterConfigsTopicPolicy)],
  [66, listTransactions],
  [68, consumerGroupHeartbeat],
  [69, consumerGroupDescribe],
  [75, describeTopicPartitions],
  [88, streamsGroupHeartbeatRule],
]);
