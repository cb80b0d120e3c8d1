// The API's hand rule (../hand-rules.ts): names the specs leave unannotated, and per-API refusals.
import type { Refusal } from "../hand-rules.ts";
import { refuse, type RequestExchange, type ResponseExchange, type StageStop } from "./exchange.ts";

export function handRuleRequest(x: RequestExchange): StageStop | undefined | Promise<StageStop | undefined> {
  const rule = x.plan.handRule;
  if (!rule?.request) return undefined;
  // The topic policy only for APIs with hand rules: Produce and Fetch need none.
  x.rule.topicPolicy = x.deps.topicPolicies?.forTenant(x.tenant, x.conn.log);
  const refusal = rule.request(x.body, x.rule);
  // A rule may rewrite anything: the request is re-encoded.
  x.changed++;
  return refusal instanceof Promise ? refusal.then((r) => stopFor(x, r)) : stopFor(x, refusal);
}

function stopFor(x: RequestExchange, refusal: Refusal | void): StageStop | undefined {
  return refusal ? refuse(x.head, refusal.errorCode, refusal.message) : undefined;
}

export function handRuleResponse(x: ResponseExchange): void {
  const rule = x.plan.handRule;
  if (!rule?.response) return;
  rule.response(x.body, x.rule);
  x.changed++;
}
