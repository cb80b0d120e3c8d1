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
import { ApiKey, type RequestOf, type ResponseOf } from "../protocol/messages/api-keys.ts";
import type { RuleContext } from "./hand-rules.ts";

/** One API that names topics by id, over its generated request and response types. */
interface ByIdApi<K extends ApiKey> {
  /** First version whose requests name topics by id. */
  from: number;
  /** Takes the entries asked for by a `notOwned` id out of the request; returns those ids, in order. */
  take(body: RequestOf<K>, notOwned: ReadonlySet<string>): string[];
  /** Appends the broker's answer for an unknown id to the response. */
  answer(response: ResponseOf<K>, topicId: string): void;
}

/** Files a typed entry under its API key (the exchange hands it messages of that key). */
function byIdApi<K extends ApiKey>(_apiKey: K, api: ByIdApi<K>): ByIdApi<ApiKey> {
  return api as unknown as ByIdApi<ApiKey>;
}

/** An entry asked for by id has no name (null); the kept entries stay in order. */
function takeById<T extends { name: string | null; topicId: string }>(entries: T[], notOwned: ReadonlySet<string>): { kept: T[]; taken: string[] } {
  const taken: string[] = [];
  const kept = entries.filter((t) => {
    const byId = t.name === null && notOwned.has(t.topicId);
    if (byId) taken.push(t.topicId);
    return !byId;
  });
  return { kept, taken };
}

const BY_ID_APIS: ReadonlyMap<number, ByIdApi<ApiKey>> = new Map([
  [
    ApiKey.Metadata,
    byIdApi(ApiKey.Metadata, {
      from: 12,
      take(body, notOwned) {
        if (!body.topics) return []; // all topics: nothing asked for by id
        const { kept, taken } = takeById(body.topics, notOwned);
        body.topics = kept;
        return taken;
      },
      answer(response, topicId) {
        response.topics.push({ ...defaultMetadataResponseTopic(), errorCode: ErrorCode.UNKNOWN_TOPIC_ID, name: null, topicId });
      },
    }),
  ],
  [
    ApiKey.DeleteTopics,
    byIdApi(ApiKey.DeleteTopics, {
      from: 6,
      take(body, notOwned) {
        if (!body.topics) return [];
        const { kept, taken } = takeById(body.topics, notOwned);
        body.topics = kept;
        return taken;
      },
      answer(response, topicId) {
        response.responses.push({
          ...defaultDeletableTopicResult(),
          name: null,
          topicId,
          errorCode: ErrorCode.UNKNOWN_TOPIC_ID,
          errorMessage: "This server does not host this topic ID.",
        });
      },
    }),
  ],
]);

/**
 * Takes the by-id entries for `notOwned` ids out of a decoded request of `apiKey` and has their
 * answers appended to the response (in request order); returns how many it took.
 */
export function answerUnownedTopicIds(apiKey: number, version: number, body: object, notOwned: ReadonlySet<string>, ctx: RuleContext): number {
  const api = BY_ID_APIS.get(apiKey);
  if (!api || version < api.from) return 0;
  const answered = api.take(body as RequestOf<ApiKey>, notOwned);
  if (answered.length === 0) return 0;
  ctx.responseFixups.push((res) => {
    for (const topicId of answered) api.answer(res as unknown as ResponseOf<ApiKey>, topicId);
  });
  return answered.length;
}
