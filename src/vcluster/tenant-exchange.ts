// One request inside a virtual cluster, and its response: prefix names, guard topic ids, forward;
// then learn ids, drop foreign entries, strip the prefix, rewrite broker addresses.
import { rewriteBrokerAddresses } from "../gateway/address-rewrite.ts";
import type { BrokerDirectory } from "../gateway/broker-directory.ts";
import type { Frame, RequestHead, RequestOutcome } from "../gateway/session-policy.ts";
import { decodeRequest, decodeResponse, encodeRequest, encodeResponse } from "../protocol/codec.ts";
import { hasEntities, walkEntities } from "../protocol/entity-walk.ts";
import { apiSpec } from "../protocol/registry.ts";
import { randomTopicId } from "../protocol/topic-id.ts";
import { errorResponse } from "./error-response.ts";
import { HAND_RULES, type RuleContext } from "./hand-rules.ts";
import { answerUnownedTopicIds } from "./unowned-topic-ids.ts";
import { dropForeign, forEachStruct, idNamePairs, mapTopicIds, prefixNames, stripNames } from "../protocol/name-fields.ts";
import { scrubBackingLeaks } from "./backing-leaks.ts";
import { spliceTenantClientId, tenantClientId } from "./client-id.ts";
import { forceConsumerReplica } from "./replica-guard.ts";
import type { Tenant } from "./tenant.ts";
import type { FetchExchange, FetchSessions } from "./fetch-sessions.ts";
import { ErrorCode } from "../protocol/error-codes.ts";
import { type TopicIdDirectory, ZERO_TOPIC_ID } from "./topic-id-directory.ts";
import type { TopicPolicies } from "./topic-policy-lookup.ts";
import { ApiKey } from "../protocol/messages/api-keys.ts";
import { type AclDecisions, aclStage } from "./acl/acl-stage.ts";

type Obj = Record<string, unknown>;

const FETCH = ApiKey.Fetch;

export interface TenantExchangeDeps {
  topicIds: TopicIdDirectory;
  brokers: BrokerDirectory;
  topicPolicies?: TopicPolicies;
}

/** What one connection remembers between its requests. */
export interface ConnectionState {
  fetchSessions: FetchSessions;
  /** Logs a line about this connection (with its id, vcluster and principal). */
  log?: (line: string) => void;
  /** A fetch quota's window (ConnectionQuota.fetchMaxBytes): Fetch asks for no more, as the broker caps it. */
  fetchMaxBytes?: number;
  /** The session's ACL decisions, read per request (ACL changes apply at once); null while ACLs are off. */
  acl?: () => AclDecisions | null;
}

function collectTopicIds(body: unknown, fields: Parameters<typeof walkEntities>[1], version: number): Set<string> {
  const ids = new Set<string>();
  walkEntities(body, fields, version, "topicId", (container, prop) => {
    const v = container[prop];
    if (typeof v === "string") ids.add(v);
    else if (Array.isArray(v)) for (const s of v) if (typeof s === "string") ids.add(s);
  });
  ids.delete(ZERO_TOPIC_ID);
  return ids;
}

function ownedName(tenant: Tenant, name: string | undefined): boolean {
  return name !== undefined && tenant.owns(name);
}

export async function tenantRequest(
  frame: Uint8Array,
  head: RequestHead,
  tenant: Tenant,
  deps: TenantExchangeDeps,
  conn: ConnectionState,
  acksZero: boolean,
): Promise<RequestOutcome> {
  const spec = apiSpec(head.apiKey)!;
  const v = head.apiVersion;
  const { header, body } = decodeRequest<Obj>(frame);
  if (head.apiKey === FETCH && !conn.fetchSessions.allows(body.sessionId as number)) {
    const message = `fetch session ${body.sessionId} was not opened on this connection`;
    const answer = errorResponse(FETCH, v, head.correlationId, ErrorCode.FETCH_SESSION_ID_NOT_FOUND, message);
    return answer ? { kind: "answer", frame: answer } : { kind: "close", reason: message };
  }
  // ACLs speak the tenant's names: checked before anything is prefixed.
  const decisions = conn.acl?.() ?? null;
  const aclFixups: Array<(response: Obj) => void> = [];
  if (decisions) {
    const checked = await aclStage(body, head, tenant, decisions, deps.topicIds);
    if (checked.kind === "refuse") {
      const answer = errorResponse(head.apiKey, v, head.correlationId, checked.refusal.errorCode, checked.refusal.message);
      return answer ? { kind: "answer", frame: answer } : { kind: "close", reason: `refused by the vcluster's ACLs: ${checked.refusal.message}` };
    }
    // As the broker does for acks=0: no response can carry the refusal, so the connection closes.
    if (acksZero && checked.fixups.length > 0) return { kind: "close", reason: "acks=0 produce refused by the vcluster's ACLs" };
    aclFixups.push(...checked.fixups);
  }
  let changed = prefixNames(body, spec.request.entities, v, tenant) + aclFixups.length;
  changed += forceConsumerReplica(head.apiKey, v, body);
  if (head.apiKey === FETCH && conn.fetchMaxBytes !== undefined && (body.maxBytes as number) > conn.fetchMaxBytes) {
    body.maxBytes = conn.fetchMaxBytes;
    changed++;
  }

  const rule = HAND_RULES.get(head.apiKey);
  // The policy only for APIs with hand rules: Produce and Fetch need none.
  const topicPolicy = rule?.request ? deps.topicPolicies?.forTenant(tenant, conn.log) : undefined;
  const ctx: RuleContext = { tenant, version: v, responseFixups: aclFixups, topicPolicy };
  const refusal = await rule?.request?.(body, ctx);
  if (rule?.request) changed++;
  if (refusal) {
    const answer = errorResponse(head.apiKey, v, head.correlationId, refusal.errorCode, refusal.message);
    return answer ? { kind: "answer", frame: answer } : { kind: "close", reason: refusal.message };
  }

  // A topic id the tenant does not own never reaches the broker: kgate answers it itself where
  // the broker's cost for unknown ids is superlinear, and elsewhere swaps it for a fresh random
  // id, which the broker answers with UNKNOWN_TOPIC_ID, and swaps it back in the response.
  const fakes = new Map<string, string>();
  const ids = collectTopicIds(body, spec.request.entities, v);
  if (ids.size > 0) {
    const names = await deps.topicIds.resolve(ids, tenant.name);
    const notOwned = [...ids].filter((id) => !ownedName(tenant, names.get(id)));
    if (notOwned.length > 0 && answerUnownedTopicIds(head.apiKey, v, body, new Set(notOwned), ctx) > 0) changed++;
    const swap = new Map<string, string>();
    for (const id of notOwned) {
      const fake = randomTopicId();
      swap.set(id, fake);
      fakes.set(fake, id);
    }
    if (swap.size > 0) {
      mapTopicIds(body, spec.request.entities, v, (id) => swap.get(id) ?? id);
      changed++;
    }
  }

  const fetchExchange = head.apiKey === FETCH
    ? conn.fetchSessions.exchange(v, body.sessionId as number, body.sessionEpoch as number, fakes.size > 0)
    : undefined;
  const onResponseHead = fetchExchange ? (h: Uint8Array) => fetchExchange.observeResponseHead(h) : undefined;

  // Fetch v13+ names topics by id only: once the ids are checked, the body goes as it came,
  // behind a header that carries the tenant in its client id.
  const out = changed > 0
    ? encodeRequest({ ...header, clientId: tenantClientId(tenant, header.clientId) }, body)
    : spliceTenantClientId(frame, tenant);
  if (acksZero) return { kind: "forward", frame: out, expectResponse: false };
  if (ctx.responseFixups.length === 0 && responseNeedsNoRewrite(head, fetchExchange)) return { kind: "forward", frame: out, expectResponse: true, onResponseHead };
  return {
    kind: "forward",
    frame: out,
    expectResponse: true,
    onResponseHead,
    rewrite: (response) => tenantResponse(response, head, tenant, deps, ctx, fakes),
  };
}

/**
 * A Fetch by topic id (v13-15) whose ids, in this request and in every earlier request of its
 * session, were all the tenant's: its response holds only those ids, partitions and records —
 * no names, no broker addresses — and may stream through as is.
 */
function responseNeedsNoRewrite(head: RequestHead, exchange: FetchExchange | undefined): boolean {
  return head.apiVersion >= 13 && head.apiVersion <= 15 && exchange !== undefined && !exchange.responseNeedsCheck;
}

/**
 * Kafka topic names are never empty: "" marks an entry without a name (an error for a topic
 * asked for by id, e.g. Metadata v10-11), which must reach the client; its id is checked apart.
 */
function keepName(tenant: Tenant, kind: string, name: string): boolean {
  return (kind === "topicName" && name === "") || tenant.owns(name);
}

async function tenantResponse(
  frame: Uint8Array,
  head: RequestHead,
  tenant: Tenant,
  deps: TenantExchangeDeps,
  ctx: RuleContext,
  fakes: Map<string, string>,
): Promise<Frame> {
  const spec = apiSpec(head.apiKey)!;
  const v = head.apiVersion;
  const fields = spec.response.entities;
  // Foreign entries of "everything" answers (all topics, groups, log dirs) are skipped while
  // decoding; dropForeign below handles what decoding could not drop.
  const { header, body, dropped } = decodeResponse<Obj>(frame, head.apiKey, v, { keep: (kind, name) => keepName(tenant, kind, name) });
  const rule = HAND_RULES.get(head.apiKey);
  let changed = dropped + fakes.size + ctx.responseFixups.length + (rule?.response ? 1 : 0);

  for (const pair of idNamePairs(fields, v)) {
    forEachStruct(body, pair.structPath, (s) => {
      if (typeof s[pair.nameProp] === "string") deps.topicIds.learn(s[pair.idProp] as string, s[pair.nameProp] as string);
    });
  }
  if (fakes.size > 0) mapTopicIds(body, fields, v, (id) => fakes.get(id) ?? id);

  rule?.response?.(body, ctx);
  changed += dropForeign(body, fields, v, ["topicName"], (name) => keepName(tenant, "topicName", name));
  changed += dropForeign(body, fields, v, ["groupId", "transactionalId"], (name) => keepName(tenant, "groupId", name));

  const ids = collectTopicIds(body, fields, v);
  if (ids.size > 0) {
    const restored = new Set(fakes.values());
    const names = await deps.topicIds.resolve([...ids].filter((id) => !restored.has(id)), tenant.name);
    changed += dropForeign(body, fields, v, ["topicId"], (id) => {
      if (id === ZERO_TOPIC_ID || restored.has(id)) return true;
      const name = names.get(id) ?? deps.topicIds.known(id);
      return name !== undefined && tenant.owns(name);
    });
  }

  changed += stripNames(body, fields, v, tenant);
  changed += scrubBackingLeaks(head.apiKey, body, tenant);
  if (hasEntities(fields, v, "brokerEndpoint")) changed += await rewriteBrokerAddresses(body, fields, v, deps.brokers);
  for (const fix of ctx.responseFixups) fix(body);
  // Nothing tenant-specific in it (e.g. Fetch by topic id): forward the broker's bytes.
  return changed > 0 ? encodeResponse(head.apiKey, v, header, body) : frame;
}
