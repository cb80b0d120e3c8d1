// Produce by topic id (v13+) without decoding it: the request sent most often, and the one
// whose decode and re-encode cost more than the rest of its way through kgate. A request with no
// transactional id names nothing but topic ids, so when every id is the tenant's (and no ACLs or
// refusals apply) no request stage has work: it goes out as its bytes behind the tenant's client
// id, and its response, when it holds nothing but ids, offsets and error codes, as the broker's
// bytes. Anything else (a transactional id, an id not the tenant's, ACLs on, a response with an
// error message or broker addresses) takes the full way through the stages, so the output is
// the same either way.
import type { Frame, RequestHead, RequestOutcome } from "../../gateway/session-policy.ts";
import { ApiKey } from "../../protocol/messages/api-keys.ts";
import { produceResponseIsPlain, scanProduceRequest } from "../../protocol/produce-scan.ts";
import { spliceTenantClientId } from "../client-id.ts";
import type { Tenant } from "../tenant.ts";
import { ZERO_TOPIC_ID } from "../topic-id-directory.ts";
import type { ConnectionState, TenantExchangeDeps } from "./exchange.ts";

/** Produce names topics by id from v13. */
const PRODUCE_BY_ID_FROM = 13;

/**
 * The outcome of the fast path, or null when the request must take the full way. `slowResponse`
 * runs the response stages on a response that is not plain.
 */
export async function produceFastPath(
  frame: Uint8Array,
  head: RequestHead,
  tenant: Tenant,
  deps: TenantExchangeDeps,
  conn: ConnectionState,
  acksZero: boolean,
  slowResponse: (response: Uint8Array) => Promise<Frame>,
): Promise<RequestOutcome | null> {
  if (head.apiKey !== ApiKey.Produce || head.apiVersion < PRODUCE_BY_ID_FROM) return null;
  if (conn.acl?.()) return null; // ACLs decide per topic and may refuse: the stages do that
  let scanned: ReturnType<typeof scanProduceRequest>;
  try {
    scanned = scanProduceRequest(frame, head.apiVersion);
  } catch {
    return null; // malformed: the full decode refuses it as before
  }
  if (scanned.transactionalId !== null || scanned.topics.length === 0) return null;
  const ids = new Set(scanned.topics);
  if (ids.has(ZERO_TOPIC_ID)) return null;
  const names = await deps.topicIds.resolve(ids, tenant.name);
  for (const id of ids) {
    const name = names.get(id);
    if (name === undefined || !tenant.owns(name)) return null; // swapped or answered by the stages
  }
  const out = spliceTenantClientId(frame, tenant);
  if (acksZero) return { kind: "forward", frame: out, expectResponse: false };
  const version = head.apiVersion;
  return {
    kind: "forward",
    frame: out,
    expectResponse: true,
    rewrite: (response) => (plainResponse(response, version) ? response : slowResponse(response)),
  };
}

function plainResponse(response: Uint8Array, version: number): boolean {
  try {
    return produceResponseIsPlain(response, version);
  } catch {
    return false; // the response stages decode it, and fail on it as before
  }
}
