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
import { ApiKey, type RequestOf } from "../protocol/messages/api-keys.ts";
import type { RuleContext, TypedRuleContext } from "./hand-rule.ts";

/** A request entry that names a topic by id when its name is null. */
interface ByIdEntry {
  name: string | null;
  topicId: string;
}

type Answer = (body: Record<string, unknown>, notOwned: ReadonlySet<string>, ctx: RuleContext) => number;

interface ByIdApi {
  /** First version whose requests name topics by id. */
  from: number;
  answer: Answer;
}

/**
 * Takes the by-id entries for `notOwned` ids out of the request (`entries` reads and `keep`
 * writes its array; null is "all topics") and has `unknown` append their answers to the
 * response, in request order. The one cast: the exchange hands a body decoded with the codec of
 * the key the API is filed under.
 */
function byIdApi<K extends ApiKey, E extends ByIdEntry>(_apiKey: K, from: number, spec: {
  entries(body: RequestOf<K>): E[] | null;
  keep(body: RequestOf<K>, kept: E[]): void;
  unknown(topicIds: readonly string[], ctx: TypedRuleContext<K>): void;
}): ByIdApi {
  const answer = (body: RequestOf<K>, notOwned: ReadonlySet<string>, ctx: TypedRuleContext<K>): number => {
    const entries = spec.entries(body);
    if (!entries) return 0;
    const answered: string[] = [];
    spec.keep(body, entries.filter((t) => {
      const byId = t.name === null && notOwned.has(t.topicId);
      if (byId) answered.push(t.topicId);
      return !byId;
    }));
    if (answered.length > 0) spec.unknown(answered, ctx);
    return answered.length;
  };
  return { from, answer: answer as unknown as Answer };
}

const BY_ID_APIS: ReadonlyMap<number, ByIdApi> = new Map<number, ByIdApi>([
  [ApiKey.Metadata, byIdApi(ApiKey.Metadata, 12, {
    entries: (body) => body.topics,
    keep: (body, kept) => {
      body.topics = kept;
    },
    unknown: (topicIds, ctx) =>
      ctx.responseFixups.push((res) => {
        for (const topicId of topicIds) res.topics.push({ ...defaultMetadataResponseTopic(), errorCode: ErrorCode.UNKNOWN_TOPIC_ID, name: null, topicId });
      }),
  })],
  [ApiKey.DeleteTopics, byIdApi(ApiKey.DeleteTopics, 6, {
    entries: (body) => body.topics,
    keep: (body, kept) => {
      body.topics = kept;
    },
    unknown: (topicIds, ctx) =>
      ctx.responseFixups.push((res) => {
        for (const topicId of topicIds) {
          res.responses.push({
            ...defaultDeletableTopicResult(), name: null, topicId, errorCode: ErrorCode.UNKNOWN_TOPIC_ID,
            errorMessage: "This server does not host this topic ID.",
          });
        }
      }),
  })],
]);

/**
 * Takes the by-id entries for `notOwned` ids out of the request and has their answers appended
 * to the response (in request order); returns how many it took.
 */
export function answerUnownedTopicIds(apiKey: number, version: number, body: Record<string, unknown>, notOwned: ReadonlySet<string>, ctx: RuleContext): number {
  const api = BY_ID_APIS.get(apiKey);
  return api && version >= api.from ? api.answer(body, notOwned, ctx) : 0;
}
