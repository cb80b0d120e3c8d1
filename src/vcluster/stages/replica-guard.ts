// A tenant is always a consumer: replica fields are forced to a consumer's (../replica-guard.ts).
import { forceConsumerReplica } from "../replica-guard.ts";
import type { RequestExchange } from "./exchange.ts";

export function replicaGuard(x: RequestExchange): undefined {
  if (x.plan.request.hasReplicaFields) x.changed += forceConsumerReplica(x.plan.apiKey, x.plan.version, x.body);
  return undefined;
}
