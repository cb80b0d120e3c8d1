// Broker endpoints become kgate's own listener addresses (port per broker).
import { rewriteBrokerAddresses } from "../../gateway/address-rewrite.ts";
import type { ResponseExchange } from "./exchange.ts";

export function brokerAddresses(x: ResponseExchange): Promise<void> | void {
  if (!x.plan.response.hasBrokerEndpoints) return;
  return rewriteBrokerAddresses(x.body, x.plan.response.entities, x.plan.version, x.deps.brokers).then((n) => {
    x.changed += n;
  });
}
