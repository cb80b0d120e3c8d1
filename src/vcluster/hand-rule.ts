// The shape of a hand rule, and `typedRule`: a rule written against the generated request and
// response types of one API, so that a misspelt or missing field is a compile error. The rule
// files import this (not hand-rules.ts, which imports them) so the rule modules form no cycle.
import type { ApiKey, RequestOf, ResponseOf } from "../protocol/messages/api-keys.ts";
import type { Tenant } from "./tenant.ts";
import type { TopicPolicyContext } from "./topic-policy-lookup.ts";

/** A decoded message as the exchange holds it before it picks the rule of its API key. */
type DecodedBody = Record<string, unknown>;

export interface RuleContext {
  tenant: Tenant;
  version: number;
  /** Run on the decoded response after the generic rewriting (e.g. to add refused entries). */
  responseFixups: Array<(response: DecodedBody) => void>;
  /** The tenant's topic policy, for the rules of CreateTopics, CreatePartitions and the config APIs. */
  topicPolicy?: TopicPolicyContext;
}

/** Answer the whole request locally with this top-level error. */
export interface Refusal {
  errorCode: number;
  message: string;
}

export interface HandRule {
  request?(body: DecodedBody, ctx: RuleContext): Refusal | void | Promise<Refusal | void>;
  response?(body: DecodedBody, ctx: RuleContext): void;
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

/**
 * Files a typed rule under its API key. The one cast of the rule layer: the exchange decodes a
 * message with the codec of the key it files the rule under (HAND_RULES), so the body it hands
 * the rule is that key's generated type.
 */
export function typedRule<K extends ApiKey>(_apiKey: K, rule: TypedHandRule<K>): HandRule {
  return rule as unknown as HandRule;
}
