// Entries naming another tenant's topic, group or transactional id leave the response. Most are
// skipped while decoding already (`keepName`, the decoder's filter for "everything" answers);
// this drops what decoding could not.
import { dropForeign } from "../../protocol/name-fields.ts";
import type { Tenant } from "../tenant.ts";
import type { ResponseExchange } from "./exchange.ts";

/**
 * Kafka topic names are never empty: "" marks an entry without a name (an error for a topic
 * asked for by id, e.g. Metadata v10-11), which must reach the client; its id is checked apart.
 */
export function keepName(tenant: Tenant, kind: string, name: string): boolean {
  return (kind === "topicName" && name === "") || tenant.owns(name);
}

export function dropForeignNames(x: ResponseExchange): void {
  const { plan, tenant } = x;
  const { entities, hasTopicNames, hasGroupNames } = plan.response;
  if (hasTopicNames) x.changed += dropForeign(x.body, entities, plan.version, ["topicName"], (name) => keepName(tenant, "topicName", name));
  if (hasGroupNames) {
    x.changed += dropForeign(x.body, entities, plan.version, ["groupId", "transactionalId"], (name) => keepName(tenant, "groupId", name));
  }
}
