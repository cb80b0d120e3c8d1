// A topic id the tenant does not own never reaches the broker: kgate answers it itself where the
// broker's cost for unknown ids is superlinear (../unowned-topic-ids.ts), and elsewhere swaps it
// for a fresh random id, which the broker answers with UNKNOWN_TOPIC_ID; the response stage
// restore-topic-ids.ts swaps it back.
import type { EntityField } from "../../protocol/entity-field.ts";
import { walkEntities } from "../../protocol/entity-walk.ts";
import { mapTopicIds } from "../../protocol/name-fields.ts";
import { randomTopicId } from "../../protocol/topic-id.ts";
import { ZERO_TOPIC_ID } from "../topic-id-directory.ts";
import { answerUnownedTopicIds } from "../unowned-topic-ids.ts";
import type { RequestExchange } from "./exchange.ts";

export function topicIdGuard(x: RequestExchange): Promise<undefined> | undefined {
  if (!x.plan.request.hasTopicIds) return undefined;
  const ids = collectTopicIds(x.body, x.plan.request.entities, x.plan.version);
  return ids.size > 0 ? guardIds(x, ids) : undefined;
}

async function guardIds(x: RequestExchange, ids: Set<string>): Promise<undefined> {
  const { tenant, plan } = x;
  const names = await x.deps.topicIds.resolve(ids, tenant.name);
  const notOwned = [...ids].filter((id) => {
    const name = names.get(id);
    return name === undefined || !tenant.owns(name);
  });
  if (notOwned.length === 0) return undefined;
  if (answerUnownedTopicIds(plan.apiKey, plan.version, x.body, new Set(notOwned), x.rule) > 0) x.changed++;
  const swap = new Map<string, string>();
  for (const id of notOwned) {
    const fake = randomTopicId();
    swap.set(id, fake);
    x.fakes.set(fake, id);
  }
  mapTopicIds(x.body, plan.request.entities, plan.version, (id) => swap.get(id) ?? id);
  x.changed++;
  return undefined;
}

/** Every topic id in the message but the zero id (a topic named by name). */
export function collectTopicIds(body: unknown, fields: readonly EntityField[], version: number): Set<string> {
  const ids = new Set<string>();
  walkEntities(body, fields, version, "topicId", (container, prop) => {
    const v = container[prop];
    if (typeof v === "string") ids.add(v);
    else if (Array.isArray(v)) { for (const s of v) if (typeof s === "string") ids.add(s); }
  });
  ids.delete(ZERO_TOPIC_ID);
  return ids;
}
