// The vcluster data plane in order: the stages one tenant request goes through before it is
// forwarded, and those its response goes through before the client reads it. Each stage is one
// file in this folder; each reads the precomputed plan of its (API, version) (plan.ts) and skips
// itself where the message has nothing for it. SASL, the API allow-list, ApiVersions, client
// telemetry and the ACL APIs come before this, in ../vcluster-policy.ts; a Produce by topic id
// that no stage has work for skips the stages (produce-fast-path.ts).
import type { Frame, RequestHead, RequestOutcome } from "../../gateway/session-policy.ts";
import { decodeRequest, decodeResponse } from "../../protocol/codec.ts";
import type { Tenant } from "../tenant.ts";
import { acl } from "./acl.ts";
import { brokerAddresses } from "./broker-addresses.ts";
import { dropForeignIds } from "./drop-foreign-ids.ts";
import { dropForeignNames, keepName } from "./drop-foreign.ts";
import { encodeTenantRequest, encodeTenantResponse, responseNeedsNoRewrite } from "./encode.ts";
import type { ConnectionState, Obj, RequestExchange, RequestStage, ResponseExchange, ResponseStage, TenantExchangeDeps } from "./exchange.ts";
import { fetchQuota } from "./fetch-quota.ts";
import { fetchSessionGuard } from "./fetch-session-guard.ts";
import { fetchSessionTrack } from "./fetch-session-track.ts";
import { handRuleRequest, handRuleResponse } from "./hand-rule.ts";
import { learnTopicIds } from "./learn-topic-ids.ts";
import { rewritePlan } from "./plan.ts";
import { prefixNames } from "./prefix-names.ts";
import { produceFastPath } from "./produce-fast-path.ts";
import { replicaGuard } from "./replica-guard.ts";
import { responseFixups } from "./response-fixups.ts";
import { restoreTopicIds } from "./restore-topic-ids.ts";
import { scrubLeaks } from "./scrub-leaks.ts";
import { stripNames } from "./strip-names.ts";
import { topicIdGuard } from "./topic-id-guard.ts";

export const REQUEST_STAGES: readonly RequestStage[] = [
  fetchSessionGuard, // first: a session id not opened here is refused before any other work
  acl, // on the tenant's own names, so before anything is prefixed
  prefixNames, // the annotated names, before the rules and guards that look at backing names
  replicaGuard, // a tenant is a consumer, whatever replica id it sends
  fetchQuota, // the quota's window caps maxBytes, as the broker caps a throttled fetch
  handRuleRequest, // unannotated names and per-API refusals, next to the generic prefixing; may refuse
  topicIdGuard, // after the refusals (a refused request costs no id lookup): unowned ids answered or swapped
  fetchSessionTrack, // once ids are swapped: the session learns whether it stays clean
];

export const RESPONSE_STAGES: readonly ResponseStage[] = [
  learnTopicIds, // first: learns id↔name from the backing names before any is dropped
  restoreTopicIds, // fake ids back to the tenant's before the rules and checks read ids
  handRuleResponse, // unannotated names, on the broker's (prefixed) view like the generic stages
  dropForeignNames, // entries naming another tenant's topic or group leave
  dropForeignIds, // then entries whose topic id is not the tenant's
  stripNames, // the prefix comes off what is left (a foreign leftover becomes "")
  scrubLeaks, // error messages and broker-level facts, on the stripped view
  brokerAddresses, // broker endpoints become kgate's
  responseFixups, // last: entries kgate answers itself join the finished view
];

/** One tenant request through the request stages; the outcome carries its response rewrite. */
export async function tenantRequest(
  frame: Uint8Array,
  head: RequestHead,
  tenant: Tenant,
  deps: TenantExchangeDeps,
  conn: ConnectionState,
  acksZero: boolean,
): Promise<RequestOutcome> {
  const plan = rewritePlan(head.apiKey, head.apiVersion);
  // Before anything is decoded: a Produce by topic id that no stage has work for.
  const fast = await produceFastPath(
    frame,
    head,
    tenant,
    deps,
    conn,
    acksZero,
    (response) => tenantResponse(response, { plan, tenant, deps, rule: { tenant, version: head.apiVersion, responseFixups: [] }, fakes: new Map() }),
  );
  if (fast) return fast;
  const { header, body } = decodeRequest<Obj>(frame);
  const x: RequestExchange = {
    frame,
    head,
    header,
    body,
    tenant,
    plan,
    deps,
    conn,
    acksZero,
    rule: { tenant, version: head.apiVersion, responseFixups: [] },
    fakes: new Map(),
    changed: 0,
  };
  for (const stage of REQUEST_STAGES) {
    const result = stage(x);
    const stop = result instanceof Promise ? await result : result;
    if (stop) return stop;
  }
  const out = encodeTenantRequest(x);
  if (acksZero) return { kind: "forward", frame: out, expectResponse: false };
  const fetchExchange = x.fetchExchange;
  const onResponseHead = fetchExchange ? (h: Uint8Array) => fetchExchange.observeResponseHead(h) : undefined;
  if (responseNeedsNoRewrite(x)) return { kind: "forward", frame: out, expectResponse: true, onResponseHead };
  return { kind: "forward", frame: out, expectResponse: true, onResponseHead, rewrite: (response) => tenantResponse(response, x) };
}

/** The broker's response to `request` through the response stages. */
async function tenantResponse(frame: Uint8Array, request: Pick<RequestExchange, "plan" | "tenant" | "deps" | "rule" | "fakes">): Promise<Frame> {
  const { plan, tenant } = request;
  // Foreign entries of "everything" answers (all topics, groups, log dirs) are skipped while
  // decoding; drop-foreign.ts handles what decoding could not drop.
  const { header, body, dropped } = decodeResponse<Obj>(frame, plan.apiKey, plan.version, { keep: (kind, name) => keepName(tenant, kind, name) });
  const x: ResponseExchange = { header, body, tenant, plan, deps: request.deps, rule: request.rule, fakes: request.fakes, changed: dropped };
  for (const stage of RESPONSE_STAGES) {
    const result = stage(x);
    if (result instanceof Promise) await result;
  }
  // Nothing tenant-specific in it (e.g. Fetch by topic id): the broker's bytes go out.
  return encodeTenantResponse(x, frame);
}
