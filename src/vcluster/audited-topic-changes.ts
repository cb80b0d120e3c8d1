// Which tenant requests change topics (create, delete, partitions, configs), and the audit events a
// response to one of them stands for: one per topic or config resource, in the tenant's own names.
import type { AuditInput } from "../audit/audit-event.ts";
import type { Frame, RequestHead } from "../gateway/session-policy.ts";
import { concatBytes } from "../protocol/wire.ts";
import { decodeResponse } from "../protocol/codec.ts";
import { ErrorCode } from "../protocol/error-codes.ts";
import { ApiKey } from "../protocol/messages/api-keys.ts";
import { ConfigResourceType } from "../protocol/messages/constants.ts";

type Obj = Record<string, unknown>;

const RESOURCE_TOPIC = ConfigResourceType.TOPIC;

/** apiKey → the audited action and where its response lists the results. */
const AUDITED: ReadonlyMap<number, { action: string; results: string; name: string }> = new Map([
  [ApiKey.CreateTopics, { action: "topic.create", results: "topics", name: "name" }],
  [ApiKey.DeleteTopics, { action: "topic.delete", results: "responses", name: "name" }],
  [ApiKey.CreatePartitions, { action: "topic.partitions", results: "results", name: "name" }],
  [ApiKey.AlterConfigs, { action: "topic.config", results: "responses", name: "resourceName" }],
  [ApiKey.IncrementalAlterConfigs, { action: "topic.config", results: "responses", name: "resourceName" }],
]);

export function isAuditedTopicChange(apiKey: number): boolean {
  return AUDITED.has(apiKey);
}

const ERROR_NAMES = new Map<number, string>(Object.entries(ErrorCode).map(([name, code]) => [code, name]));

/** The events of one client-facing response (after kgate's rewriting, so names are the tenant's). */
export function topicChangeEvents(head: RequestHead, response: Frame, who: Omit<AuditInput, "action" | "outcome">): AuditInput[] {
  const spec = AUDITED.get(head.apiKey);
  if (!spec) return [];
  const { body } = decodeResponse<Obj>(response instanceof Uint8Array ? response : concatBytes(response), head.apiKey, head.apiVersion);
  const results = (body[spec.results] as Obj[] | undefined) ?? [];
  return results
    .filter((r) => r.resourceType === undefined || r.resourceType === RESOURCE_TOPIC)
    .map((r) => {
      const code = r.errorCode as number;
      return {
        ...who,
        action: spec.action,
        resource: String(r[spec.name] ?? r.topicId ?? ""),
        outcome: code === 0 ? "success" : "failure",
        ...(code === 0 ? {} : { detail: ERROR_NAMES.get(code) ?? `error code ${code}` }),
        requestId: who.requestId ? `${who.requestId}/${head.correlationId}` : String(head.correlationId),
      };
    });
}
