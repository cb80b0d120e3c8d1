// Topic names, group ids and transactional ids the specs annotate get the tenant's prefix.
import { prefixNames as prefixEntityNames } from "../../protocol/name-fields.ts";
import type { RequestExchange } from "./exchange.ts";

export function prefixNames(x: RequestExchange): undefined {
  if (x.plan.request.hasNames) x.changed += prefixEntityNames(x.body, x.plan.request.entities, x.head.apiVersion, x.tenant);
  return undefined;
}
