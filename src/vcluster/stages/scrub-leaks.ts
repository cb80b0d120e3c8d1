// What the backing cluster says about itself (error messages naming others, log-dir paths,
// broker-level config sources) is taken out (../backing-leaks.ts).
import { hasBackingState, scrubBackingState, scrubErrorMessages } from "../backing-leaks.ts";
import type { ResponseExchange } from "./exchange.ts";

export function scrubLeaks(x: ResponseExchange): void {
  x.changed += scrubErrorMessages(x.body, x.tenant);
  if (hasBackingState(x.plan.apiKey)) x.changed += scrubBackingState(x.plan.apiKey, x.body);
}
