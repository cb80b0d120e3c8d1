// A client connection once virtual clusters exist: SASL/PLAIN answered by kgate, then every
// request rewritten for the client's vcluster (or passed through for the passthrough view).
import type { PlainAuthenticator } from "../auth/plain-authenticator.ts";
import { API_VERSIONS_KEY, apiVersionsRewrite, unsupportedApiVersionsResponse } from "../gateway/api-versions.ts";
import type { BrokerDirectory } from "../gateway/broker-directory.ts";
import type { InternalTopicsGuard } from "../gateway/internal-topics-guard.ts";
import { PassthroughPolicy, type ResponseRewrites } from "../gateway/passthrough-policy.ts";
import { produceAcks } from "../gateway/produce-acks.ts";
import { parsePlainMessage } from "../gateway/sasl/plain.ts";
import type { RequestHead, RequestOutcome, SessionPolicy } from "../gateway/session-policy.ts";
import { decodeRequest, encodeResponse } from "../protocol/codec.ts";
import { ErrorCode } from "../protocol/error-codes.ts";
import type { ApiVersionsResponse } from "../protocol/messages/api-versions-response.ts";
import type { SaslAuthenticateRequest } from "../protocol/messages/sasl-authenticate-request.ts";
import type { SaslHandshakeRequest } from "../protocol/messages/sasl-handshake-request.ts";
import { apiSpec } from "../protocol/registry.ts";
import { offeredVersions, vclusterVersionFilter } from "./allowed-apis.ts";
import { errorResponse } from "./error-response.ts";
import { type ConnectionState, tenantRequest } from "./tenant-exchange.ts";
import { FetchSessions } from "./fetch-sessions.ts";
import type { Tenant } from "./tenant.ts";
import type { TopicIdDirectory } from "./topic-id-directory.ts";
import type { TopicPolicies } from "./topic-policy-lookup.ts";

const SASL_HANDSHAKE = 17;
const SASL_AUTHENTICATE = 36;
const PRODUCE = 0;
export const PASSTHROUGH = "passthrough";

export interface VclusterPolicyDeps {
  authenticate: PlainAuthenticator;
  /** The tenant for a vcluster name, or null if it does not exist. "passthrough" is not a tenant. */
  tenantFor(name: string): Tenant | null;
  topicIds: TopicIdDirectory;
  brokers: BrokerDirectory;
  topicPolicies?: TopicPolicies;
  rewrites: ResponseRewrites;
  /** Keeps kgate's own topics out of the passthrough view. */
  internalTopics?: InternalTopicsGuard;
  clock(): number;
  /** View for clients that never authenticate: "passthrough", a vcluster name, or none. */
  anonymous?: string;
  log(message: string): void;
}

export class VclusterPolicy implements SessionPolicy {
  /** The bound view: a vcluster name, "passthrough", or null before authentication. */
  view: string | null = null;
  tokenId: string | undefined;
  private tenant: Tenant | null = null;
  private passthrough: PassthroughPolicy | null = null;
  private handshaken = false;
  private sessionExpiresAt = Infinity;
  private readonly connection: ConnectionState = { fetchSessions: new FetchSessions() };

  constructor(private readonly deps: VclusterPolicyDeps, pinned?: string) {
    if (pinned) this.bind(pinned);
  }

  onRequest(frame: Uint8Array, head: RequestHead): RequestOutcome | Promise<RequestOutcome> {
    switch (head.apiKey) {
      case API_VERSIONS_KEY:
        return this.apiVersions(frame, head);
      case SASL_HANDSHAKE:
        return this.handshake(frame, head);
      case SASL_AUTHENTICATE:
        return this.authenticate(frame, head);
    }
    if (this.view === null) {
      if (this.deps.anonymous && this.bind(this.deps.anonymous)) {
        // fall through to the bound view
      } else {
        return { kind: "close", reason: `authentication required: ${apiName(head.apiKey)} sent before SASL authentication` };
      }
    }
    if (this.deps.clock() > this.sessionExpiresAt) {
      return { kind: "close", reason: "SASL session expired (token lifetime over, no re-authentication)" };
    }
    if (this.passthrough) return this.passthrough.onRequest(frame, head);
    const offered = offeredVersions(head.apiKey);
    if (!offered || head.apiVersion < offered.min || head.apiVersion > offered.max) {
      const message = `${apiName(head.apiKey)} v${head.apiVersion} is not available inside a virtual cluster`;
      const answer = errorResponse(head.apiKey, head.apiVersion, head.correlationId, ErrorCode.CLUSTER_AUTHORIZATION_FAILED, message);
      return answer ? { kind: "answer", frame: answer } : { kind: "close", reason: message };
    }
    const acksZero = head.apiKey === PRODUCE && produceAcks(frame, head.apiVersion) === 0;
    return tenantRequest(frame, head, this.tenant!, this.deps, this.connection, acksZero);
  }

  private bind(view: string): boolean {
    if (view === PASSTHROUGH) {
      this.view = view;
      this.tenant = null;
      this.passthrough = new PassthroughPolicy(this.deps.rewrites, this.deps.internalTopics);
      return true;
    }
    const tenant = this.deps.tenantFor(view);
    if (!tenant) return false;
    this.view = view;
    this.tenant = tenant;
    this.passthrough = null;
    return true;
  }

  private apiVersions(frame: Uint8Array, head: RequestHead): RequestOutcome {
    if (head.apiVersion > apiSpec(API_VERSIONS_KEY)!.maxVersion) {
      return { kind: "answer", frame: unsupportedApiVersionsResponse(head.correlationId) };
    }
    if (this.passthrough) return this.passthrough.onRequest(frame, head);
    return { kind: "forward", frame, expectResponse: true, rewrite: apiVersionsRewrite(head.apiVersion, vclusterVersionFilter, advertiseSasl) };
  }

  private handshake(frame: Uint8Array, head: RequestHead): RequestOutcome {
    if (head.apiVersion < 1) return { kind: "close", reason: "SaslHandshake v0 (unframed SASL) is not supported" };
    const { body } = decodeRequest<SaslHandshakeRequest>(frame);
    const ok = body.mechanism === "PLAIN";
    this.handshaken = ok;
    const answer = encodeResponse(SASL_HANDSHAKE, head.apiVersion, { correlationId: head.correlationId }, {
      errorCode: ok ? ErrorCode.NONE : ErrorCode.UNSUPPORTED_SASL_MECHANISM,
      mechanisms: ["PLAIN"],
    });
    return ok ? { kind: "answer", frame: answer } : { kind: "answer", frame: answer, closeAfter: `SASL mechanism ${body.mechanism} is not offered (PLAIN only)` };
  }

  private async authenticate(frame: Uint8Array, head: RequestHead): Promise<RequestOutcome> {
    const reply = (errorCode: number, errorMessage: string | null, lifetimeMs = 0n) =>
      encodeResponse(SASL_AUTHENTICATE, head.apiVersion, { correlationId: head.correlationId }, {
        errorCode,
        errorMessage,
        authBytes: new Uint8Array(0),
        sessionLifetimeMs: lifetimeMs,
      });
    if (!this.handshaken) {
      return { kind: "answer", frame: reply(ErrorCode.ILLEGAL_SASL_STATE, "SaslAuthenticate before SaslHandshake"), closeAfter: "SaslAuthenticate before SaslHandshake" };
    }
    this.handshaken = false; // each authentication needs its own handshake (KIP-368 re-auth too)
    const { body } = decodeRequest<SaslAuthenticateRequest>(frame);
    let username = "";
    let result;
    try {
      const creds = parsePlainMessage(body.authBytes);
      username = creds.username;
      if (creds.authzid && creds.authzid !== creds.username) throw new Error("authorization id must equal the username");
      result = await this.deps.authenticate(creds.username, creds.password);
    } catch (e) {
      result = { ok: false as const, reason: (e as Error).message };
    }
    if (!result.ok) {
      const reason = `authentication of "${username}" failed: ${result.reason}`;
      return { kind: "answer", frame: reply(ErrorCode.SASL_AUTHENTICATION_FAILED, "Authentication failed: invalid credentials"), closeAfter: reason };
    }
    if (this.view !== null && this.view !== result.vcluster) {
      const reason = `re-authentication as "${username}" would move the connection from ${this.view} to ${result.vcluster}`;
      return { kind: "answer", frame: reply(ErrorCode.SASL_AUTHENTICATION_FAILED, "Re-authentication must keep the same virtual cluster"), closeAfter: reason };
    }
    if (!this.bind(result.vcluster)) {
      return { kind: "answer", frame: reply(ErrorCode.SASL_AUTHENTICATION_FAILED, "Authentication failed"), closeAfter: `vcluster ${result.vcluster} no longer exists` };
    }
    this.tokenId = result.tokenId;
    this.sessionExpiresAt = result.expiresAt ?? Infinity;
    const lifetime = result.expiresAt === undefined ? 0n : BigInt(Math.max(1, result.expiresAt - this.deps.clock()));
    this.deps.log(`authenticated "${username}" into ${result.vcluster} via ${result.via}`);
    return { kind: "answer", frame: reply(ErrorCode.NONE, null, lifetime) };
  }
}

/**
 * kgate answers SaslHandshake and SaslAuthenticate itself, so it offers them even when the
 * backing listener (PLAINTEXT) does not; librdkafka will not log in otherwise.
 */
function advertiseSasl(body: ApiVersionsResponse): void {
  for (const apiKey of [SASL_HANDSHAKE, SASL_AUTHENTICATE]) {
    const offered = offeredVersions(apiKey)!;
    const entry = body.apiKeys.find((e) => e.apiKey === apiKey);
    if (entry) {
      entry.minVersion = offered.min;
      entry.maxVersion = offered.max;
    } else {
      body.apiKeys.push({ apiKey, minVersion: offered.min, maxVersion: offered.max });
    }
  }
  body.apiKeys.sort((a, b) => a.apiKey - b.apiKey);
}

function apiName(apiKey: number): string {
  return apiSpec(apiKey)?.name ?? `api key ${apiKey}`;
}
