// What the backing cluster says about itself (error messages naming others, log-dir paths,
// broker-level config sources) is taken out (../backing-leaks.ts).
import { scrubBackingState, scrubErrorMessages } from "../backing-leaks.ts";
import type { ResponseExchange } from "./exchange.ts";

export function scrubLeaks(x: ResponseExchange): void {
  const { hasErrorMessages, hasBackingState } = x.plan.response;
  // A walk over the whole body: only where the specs say a message field can be.
  if (hasErrorMessages) x.changed += scrubErrorMessages(x.body, x.tenant);
  if (hasBackingState) x.changed += scrubBackingState(x.plan.apiKey, x.body);
}
