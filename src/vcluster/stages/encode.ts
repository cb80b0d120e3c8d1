// The last step each way: a message a stage changed is encoded again; one no stage changed goes
// out as the bytes that arrived (invariant 3), a request behind a header carrying the tenant in
// its client id (../client-id.ts).
import type { Frame } from "../../gateway/session-policy.ts";
import { encodeRequest, encodeResponse } from "../../protocol/codec.ts";
import { spliceTenantClientId, tenantClientId } from "../client-id.ts";
import type { RequestExchange, ResponseExchange } from "./exchange.ts";

export function encodeTenantRequest(x: RequestExchange): Frame {
  return x.changed > 0
    ? encodeRequest({ ...x.header, clientId: tenantClientId(x.tenant, x.header.clientId) }, x.body)
    : spliceTenantClientId(x.frame, x.tenant);
}

export function encodeTenantResponse(x: ResponseExchange, frame: Uint8Array): Frame {
  return x.changed > 0 ? encodeResponse(x.plan.apiKey, x.plan.version, x.header, x.body) : frame;
}

/**
 * The broker's response may go to the client as it arrives (cut-through, never decoded) when no
 * request stage asked for response fix-ups and either the plan says no response stage has work
 * at this version (Heartbeat, EndTxn...), or it is a Fetch by topic id (v13-15) whose ids, in
 * this request and in every earlier request of its session, were all the tenant's: its response
 * holds only those ids, partitions and records — no names, no broker addresses.
 */
export function responseNeedsNoRewrite(x: RequestExchange): boolean {
  if (x.rule.responseFixups.length > 0) return false;
  if (!x.plan.response.needsRewrite) return x.fakes.size === 0;
  return x.plan.fetchCutThrough && x.fetchExchange !== undefined && !x.fetchExchange.responseNeedsCheck;
}
