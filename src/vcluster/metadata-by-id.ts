// Metadata (v12+) asks for topics by id. A broker's cost for ids it does not know grows much
// faster than linearly with their number (measured on Kafka 4.4: 250 ids 14 ms, 1,000 ids
// 0.5 s, 2,000 ids 4.7 s), so a tenant's spray of random ids, swapped for fake ids and
// forwarded, would stall the broker for everyone (invariant 4). Ids the tenant does not own are
// therefore answered by kgate itself, exactly as the broker answers an unknown id, and never
// reach the broker.
import { defaultMetadataResponseTopic } from "../protocol/messages/metadata-response.ts";
import { ErrorCode } from "../protocol/error-codes.ts";
import type { RuleContext } from "./hand-rules.ts";

type Obj = Record<string, unknown>;

const BY_ID_FROM = 12;

/** Takes by-id entries for `notOwned` ids out of the request; returns how many it took. */
export function answerUnownedMetadataIds(body: Obj, version: number, notOwned: ReadonlySet<string>, ctx: RuleContext): number {
  const topics = body.topics as Obj[] | null;
  if (version < BY_ID_FROM || !topics) return 0;
  const answered: string[] = [];
  body.topics = topics.filter((t) => {
    const byId = t.name === null && notOwned.has(t.topicId as string);
    if (byId) answered.push(t.topicId as string);
    return !byId;
  });
  if (answered.length === 0) return 0;
  ctx.responseFixups.push((res) => {
    const out = res.topics as Obj[];
    for (const topicId of answered) {
      out.push({ ...defaultMetadataResponseTopic(), errorCode: ErrorCode.UNKNOWN_TOPIC_ID, name: null, topicId });
    }
  });
  return answered.length;
}
