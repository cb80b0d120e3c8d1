// What the data-plane stages of one vcluster request and its response work on: the decoded
// message, the tenant, the precomputed plan, and what earlier stages decided. A stage reads and
// changes this context and says whether the request goes on (`undefined`), is answered by kgate,
// or closes the connection.
import type { BrokerDirectory } from "../../gateway/broker-directory.ts";
import type { Frame, RequestHead } from "../../gateway/session-policy.ts";
import type { RequestHeader, ResponseHeader } from "../../protocol/headers.ts";
import type { AclDecisions } from "../acl/acl-stage.ts";
import { errorResponse } from "../error-response.ts";
import type { FetchExchange, FetchSessions } from "../fetch-sessions.ts";
import type { RuleContext } from "../hand-rules.ts";
import type { Tenant } from "../tenant.ts";
import type { TopicIdDirectory } from "../topic-id-directory.ts";
import type { TopicPolicies } from "../topic-policy-lookup.ts";
import type { RewritePlan } from "./plan.ts";

export type Obj = Record<string, unknown>;

/** The shared services a stage may call (I/O sits behind these). */
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

/** One request on its way through the request stages. */
export interface RequestExchange {
  /** The frame as the client sent it (forwarded as is when no stage changed the body). */
  readonly frame: Uint8Array;
  readonly head: RequestHead;
  readonly header: RequestHeader;
  readonly body: Obj;
  readonly tenant: Tenant;
  readonly plan: RewritePlan;
  readonly deps: TenantExchangeDeps;
  readonly conn: ConnectionState;
  readonly acksZero: boolean;
  /** The hand rules' context; its `responseFixups` run on the decoded response (ACL fix-ups too). */
  readonly rule: RuleContext;
  /** Fake id → the tenant's id it stands for (ids the tenant does not own, swapped out). */
  readonly fakes: Map<string, string>;
  /** How many values the stages changed: 0 means the body's bytes go out as they came. */
  changed: number;
  /** Fetch: the session bookkeeping for this request and its response. */
  fetchExchange?: FetchExchange;
}

/** One broker response on its way through the response stages. */
export interface ResponseExchange {
  readonly header: ResponseHeader;
  readonly body: Obj;
  readonly tenant: Tenant;
  readonly plan: RewritePlan;
  readonly deps: TenantExchangeDeps;
  readonly rule: RuleContext;
  readonly fakes: ReadonlyMap<string, string>;
  /** How many values the stages changed: 0 means the broker's bytes go out as they came. */
  changed: number;
}

/** A stage's verdict other than "go on": kgate answers the request, or closes the connection. */
export type StageStop = { kind: "answer"; frame: Frame } | { kind: "close"; reason: string };

export type RequestStage = (x: RequestExchange) => StageStop | undefined | Promise<StageStop | undefined>;
export type ResponseStage = (x: ResponseExchange) => void | Promise<void>;

/**
 * The request answered with `errorCode` (as the broker would refuse it); an API whose response
 * cannot carry an error closes the connection instead, with `closeReason`.
 */
export function refuse(head: RequestHead, errorCode: number, message: string, closeReason = message): StageStop {
  const answer = errorResponse(head.apiKey, head.apiVersion, head.correlationId, errorCode, message);
  return answer ? { kind: "answer", frame: answer } : { kind: "close", reason: closeReason };
}
