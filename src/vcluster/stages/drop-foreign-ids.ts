// Entries whose topic id is not the tenant's leave the response: the ids the tenant asked for
// were checked on the way in, but a broker may answer with more (a Fetch session's earlier
// partitions, DescribeTopicPartitions past a cursor).
import { dropForeign } from "../../protocol/name-fields.ts";
import { ZERO_TOPIC_ID } from "../topic-id-directory.ts";
import type { ResponseExchange } from "./exchange.ts";
import { collectTopicIds } from "./topic-id-guard.ts";

export function dropForeignIds(x: ResponseExchange): Promise<void> | void {
  if (!x.plan.response.hasTopicIds) return;
  const ids = collectTopicIds(x.body, x.plan.response.entities, x.plan.version);
  if (ids.size > 0) return dropUnowned(x, ids);
}

async function dropUnowned(x: ResponseExchange, ids: Set<string>): Promise<void> {
  const { plan, tenant, deps } = x;
  const restored = new Set(x.fakes.values());
  const names = await deps.topicIds.resolve([...ids].filter((id) => !restored.has(id)), tenant.name);
  x.changed += dropForeign(x.body, plan.response.entities, plan.version, ["topicId"], (id) => {
    if (id === ZERO_TOPIC_ID || restored.has(id)) return true;
    const name = names.get(id) ?? deps.topicIds.known(id);
    return name !== undefined && tenant.owns(name);
  });
}
