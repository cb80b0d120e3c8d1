// What request stages asked for in the response (refused entries put back by the ACL stage and
// the hand rules, kgate's answers for unowned topic ids), run on the finished tenant view.
import type { ResponseExchange } from "./exchange.ts";

export function responseFixups(x: ResponseExchange): void {
  for (const fix of x.rule.responseFixups) fix(x.body);
  x.changed += x.rule.responseFixups.length;
}
