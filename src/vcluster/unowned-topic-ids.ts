// Requests that name topics by id, for APIs where a broker's cost for ids it does not know grows
// much faster than linearly with their number (measured on Kafka 4.4: Metadata for 250 unknown
// ids 14 ms, 1,000 ids 0.5 s, 2,000 ids 4.7 s; DeleteTopics 1,000 ids 1.3 s, 2,000 ids 4.5 s).
// Swapped for fake ids and forwarded, a tenant's spray of random ids would stall the broker for
// everyone (invariant 4). So ids the tenant does not own are answered by kgate itself, exactly
// as the broker answers an unknown id, and never reach the broker. (Fetch, Produce, OffsetCommit
// and OffsetFetch by id cost the broker linear time: they keep the fake-id swap.)
import { defaultDeletableTopicResult } from "../protocol/messages/delete-topics-response.ts";
import { defaultMetadataResponseTopic } from "../protocol/messages/metadata-response.ts";
import { ErrorCode } from "../protocol/error-codes.ts";
import { ApiKey } from "../protocol/messages/api-keys.ts";
import type { RuleContext } from "./hand-rules.ts";

type Obj = Record<string, unknown>;

interface ByIdApi {
  /** First version whose requests name topics by id. */
  from: number;
  requestArray: string;
  responseArray: string;
  unknown(topicId: string): Obj;
}

const BY_ID_APIS: ReadonlyMap<number, ByIdApi> = new Map<number, ByIdApi>([
  [ApiKey.Metadata, {
    from: 12,
    requestArray: "topics",
    responseArray: "topics",
    unknown: (topicId) => ({ ...defaultMetadataResponseTopic(), errorCode: ErrorCode.UNKNOWN_TOPIC_ID, name: null, topicId }),
  }],
  [ApiKey.DeleteTopics, {
    from: 6,
    requestArray: "topics",
    responseArray: "responses",
    unknown: (topicId) => ({
      ...defaultDeletableTopicResult(), name: null, topicId, errorCode: ErrorCode.UNKNOWN_TOPIC_ID,
      errorMessage: "This server does not host this topic ID.",
    }),
  }],
]);

/**
 * Takes the by-id entries for `notOwned` ids out of the request and has their answers appended
 * to the response (in request order); returns how many it took.
 */
export function answerUnownedTopicIds(apiKey: number, version: number, body: Obj, notOwned: ReadonlySet<string>, ctx: RuleContext): number {
  const api = BY_ID_APIS.get(apiKey);
  const entries = api && version >= api.from ? (body[api.requestArray] as Obj[] | null) : null;
  if (!api || !entries) return 0;
  const answered: string[] = [];
  body[api.requestArray] = entries.filter((t) => {
    const byId = t.name === null && notOwned.has(t.topicId as string);
    if (byId) answered.push(t.topicId as string);
    return !byId;
  });
  if (answered.length === 0) return 0;
  ctx.responseFixups.push((res) => {
    const out = res[api.responseArray] as Obj[];
    for (const topicId of answered) out.push(api.unknown(topicId));
  });
  return answered.length;
}
