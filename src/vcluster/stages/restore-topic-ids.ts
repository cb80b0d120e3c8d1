// The fake ids topic-id-guard.ts sent in place of ids the tenant does not own go back to the
// tenant's ids, so the client reads the broker's UNKNOWN_TOPIC_ID for the id it asked for.
import { mapTopicIds } from "../../protocol/name-fields.ts";
import type { ResponseExchange } from "./exchange.ts";

export function restoreTopicIds(x: ResponseExchange): void {
  if (x.fakes.size === 0) return;
  mapTopicIds(x.body, x.plan.response.entities, x.plan.version, (id) => x.fakes.get(id) ?? id);
  x.changed += x.fakes.size;
}
