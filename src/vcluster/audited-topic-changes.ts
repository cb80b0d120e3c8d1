// Which tenant requests change topics (create, delete, partitions, configs), and the audit events a
// response to one of them stands for: one per topic or config resource, in the tenant's own names.
import type { AuditInput } from "../audit/audit-event.ts";
import type { Frame, RequestHead } from "../gateway/session-policy.ts";
import { concatBytes } from "../protocol/wire.ts";
import { decodeResponse } from "../protocol/codec.ts";
import { ErrorCode } from "../protocol/error-codes.ts";
import { ApiKey, type ResponseOf } from "../protocol/messages/api-keys.ts";
import { ConfigResourceType } from "../protocol/messages/constants.ts";

const RESOURCE_TOPIC = ConfigResourceType.TOPIC;

/** One audited result of a response: the topic it names and how it went. */
interface TopicResult {
  resource: string;
  errorCode: number;
}

interface AuditedApi {
  action: string;
  /** Decodes a response of this API and lists its topic results. */
  results(frame: Uint8Array, version: number): TopicResult[];
}

/** An audited API: `results` reads that API's generated response type. */
function audited<K extends ApiKey>(apiKey: K, action: string, results: (body: ResponseOf<K>) => TopicResult[]): [number, AuditedApi] {
  return [apiKey, { action, results: (frame, version) => results(decodeResponse<ResponseOf<K>>(frame, apiKey, version).body) }];
}

/** Config responses list every resource they were asked about; only topics are topic changes. */
const configResults = (body: ResponseOf<typeof ApiKey.AlterConfigs | typeof ApiKey.IncrementalAlterConfigs>) =>
  body.responses.filter((r) => r.resourceType === RESOURCE_TOPIC).map((r) => ({ resource: r.resourceName, errorCode: r.errorCode }));

const AUDITED: ReadonlyMap<number, AuditedApi> = new Map([
  audited(ApiKey.CreateTopics, "topic.create", (body) => body.topics.map((t) => ({ resource: t.name, errorCode: t.errorCode }))),
  // DeleteTopics v6+ may name a topic by id alone.
  audited(ApiKey.DeleteTopics, "topic.delete", (body) => body.responses.map((t) => ({ resource: t.name ?? t.topicId, errorCode: t.errorCode }))),
  audited(ApiKey.CreatePartitions, "topic.partitions", (body) => body.results.map((t) => ({ resource: t.name, errorCode: t.errorCode }))),
  audited(ApiKey.AlterConfigs, "topic.config", configResults),
  audited(ApiKey.IncrementalAlterConfigs, "topic.config", configResults),
]);

export function isAuditedTopicChange(apiKey: number): boolean {
  return AUDITED.has(apiKey);
}

const ERROR_NAMES = new Map<number, string>(Object.entries(ErrorCode).map(([name, code]) => [code, name]));

/** The events of one client-facing response (after kgate's rewriting, so names are the tenant's). */
export function topicChangeEvents(head: RequestHead, response: Frame, who: Omit<AuditInput, "action" | "outcome">): AuditInput[] {
  const spec = AUDITED.get(head.apiKey);
  if (!spec) return [];
  const results = spec.results(response instanceof Uint8Array ? response : concatBytes(response), head.apiVersion);
  return results.map(({ resource, errorCode: code }) => ({
    ...who,
    action: spec.action,
    resource,
    outcome: code === 0 ? "success" : "failure",
    ...(code === 0 ? {} : { detail: ERROR_NAMES.get(code) ?? `error code ${code}` }),
    requestId: who.requestId ? `${who.requestId}/${head.correlationId}` : String(head.correlationId),
  }));
}
