// The tenant's prefix comes off every name left; a foreign name left over becomes "" (never leaks).
import { stripNames as stripEntityNames } from "../../protocol/name-fields.ts";
import type { ResponseExchange } from "./exchange.ts";

export function stripNames(x: ResponseExchange): void {
  if (x.plan.response.hasNames) x.changed += stripEntityNames(x.body, x.plan.response.entities, x.plan.version, x.tenant);
}
