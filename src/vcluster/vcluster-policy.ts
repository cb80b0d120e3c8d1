// A client connection once virtual clusters exist: SASL/PLAIN answered by kgate, then every
// request rewritten for the client's vcluster (or passed through for the passthrough view).
// Which view a connection may have is decided here and re-checked after every store change
// (invariant 2); a listener pinned to a missing vcluster refuses everyone (fail closed).
import type { PlainAuthenticator } from "../auth/plain-authenticator.ts";
import type { SaslCredentials } from "../client/sasl-login.ts";
import { API_VERSIONS_KEY, unsupportedApiVersionsResponse } from "../gateway/api-versions.ts";
import type { BrokerDirectory } from "../gateway/broker-directory.ts";
import type { InternalTopicsGuard } from "../gateway/internal-topics-guard.ts";
import { PassthroughPolicy, type ResponseRewrites } from "../gateway/passthrough-policy.ts";
import { produceAcks } from "../gateway/produce-acks.ts";
import { parsePlainMessage } from "../sasl/plain.ts";
import { isOAuthBearerErrorAck, oauthBearerErrorChallenge, parseOAuthBearerMessage } from "../sasl/oauthbearer.ts";
import type { BearerAuthenticator } from "../auth/oauth-authenticator.ts";
import type { Frame, RequestHead, RequestOutcome, SessionPolicy } from "../gateway/session-policy.ts";
import { decodeRequest, encodeResponse } from "../protocol/codec.ts";
import { ErrorCode } from "../protocol/error-codes.ts";
import type { ApiVersionsResponse } from "../protocol/messages/api-versions-response.ts";
import type { SaslAuthenticateRequest } from "../protocol/messages/sasl-authenticate-request.ts";
import type { SaslHandshakeRequest } from "../protocol/messages/sasl-handshake-request.ts";
import { apiSpec } from "../protocol/registry.ts";
import { offeredVersions } from "./allowed-apis.ts";
import { vclusterApiVersions } from "./vcluster-api-versions.ts";
import { errorResponse } from "./error-response.ts";
import { type ConnectionState, tenantRequest } from "./tenant-exchange.ts";
import { FetchSessions } from "./fetch-sessions.ts";
import type { AuditTrail } from "../audit/audit-trail.ts";
import type { CertificateIdentity } from "../auth/certificate-identity.ts";
import { isAuditedTopicChange, topicChangeEvents } from "./audited-topic-changes.ts";
import type { ScramMechanism } from "../sasl/scram-primitives.ts";
import { type ScramCredential, ScramServer } from "../sasl/scram-server.ts";
import type { Tenant } from "./tenant.ts";
import { answerClientTelemetry, isClientTelemetry } from "./client-telemetry.ts";
import { authenticateRequestFor, UNFRAMED_TOKEN_HEAD, unframedOutcome } from "./unframed-sasl.ts";
import type { TopicIdDirectory } from "./topic-id-directory.ts";
import type { TopicPolicies } from "./topic-policy-lookup.ts";
import { ApiKey } from "../protocol/messages/api-keys.ts";
import type { QuotaManager } from "./quota-manager.ts";
import { ConnectionQuota } from "./quota-connection.ts";
import { AclDecisions, type AclSettingsSource } from "./acl/acl-stage.ts";
import { type AclAdmin, answerAclApi, isAclApi } from "./acl/acl-apis.ts";
import { ANONYMOUS_PRINCIPAL } from "../model/acl-model.ts";

const SASL_HANDSHAKE = ApiKey.SaslHandshake;
const SASL_AUTHENTICATE = ApiKey.SaslAuthenticate;
const PRODUCE = ApiKey.Produce;
const FETCH = ApiKey.Fetch;
const PASSTHROUGH = "passthrough";
const MAX_PRE_AUTH_API_VERSIONS = 4;

/** Who a connection logged in as, kept to re-check it when the store changes. */
export interface LoginIdentity {
  readonly username: string;
  readonly vcluster: string;
  readonly via: "static-user" | "token" | "certificate" | "scram" | "oauth" | "oauth-external";
  readonly tokenId?: string;
}

/** How this listener treats clients that do not authenticate (re-read on every check). */
export interface ListenerViews {
  /** View for clients that never authenticate: "passthrough", a vcluster name, or none. */
  readonly anonymous?: string;
  /** Every client of this listener is in this vcluster, authenticated or not. */
  readonly pinned?: string;
  /**
   * The vcluster the connection's host name (SNI) names: any identity of another vcluster is
   * refused. The client picks the name, so naming a vcluster grants nothing by itself.
   */
  readonly hostVcluster?: string;
}

/** A successful login before its binding step. */
interface LoginResult {
  readonly ok: true;
  readonly vcluster: string;
  readonly username: string;
  readonly via: LoginIdentity["via"];
  readonly tokenId?: string;
  readonly expiresAt?: number;
}

/** A SCRAM login name resolved to its account and stored credential. */
export interface ScramAccount {
  readonly vcluster: string;
  readonly username: string;
  readonly credential: ScramCredential;
}

/**
 * Why a client login was refused, as a small fixed set (a metric label, so bounded): a bad
 * password, token or SCRAM proof; a malformed SASL exchange; a login into a vcluster this
 * listener or connection cannot have; a vcluster that no longer exists.
 */
export type AuthenticationFailureReason =
  | "invalid_credentials"
  | "malformed"
  | "wrong_listener"
  | "vcluster_change"
  | "missing_vcluster"
  | "connection_limit";

const SASL_MECHANISMS = ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512", "OAUTHBEARER"] as const;
type SaslMechanism = (typeof SASL_MECHANISMS)[number];

export interface VclusterPolicyDeps {
  authenticate: PlainAuthenticator;
  /** SASL/OAUTHBEARER: kgate's own access tokens and those of configured external issuers. */
  authenticateBearer: BearerAuthenticator;
  /** The SCRAM account a login name stands for ("user@vcluster", or a user name unique across vclusters). */
  scramAccount(login: string, mechanism: ScramMechanism): ScramAccount | undefined;
  /** The tenant for a vcluster name, or null if it does not exist. "passthrough" is not a tenant. */
  tenantFor(name: string): Tenant | null;
  /** Tells incarnations of a vcluster name apart (its creation time); undefined when it does not exist. */
  vclusterGeneration(name: string): string | undefined;
  /** Why a login no longer holds (revoked token, removed static user), or null. */
  identityProblem(identity: LoginIdentity): string | null;
  listenerViews(): ListenerViews;
  /** The backing cluster's ApiVersions, answered locally so no backing connection opens before login. */
  backingApiVersions(): Promise<ApiVersionsResponse>;
  /** Who the connection's verified client certificate identifies, if anyone (used when it does not log in with SASL). */
  certificate: CertificateIdentity | null;
  /** Kafka's connection.failed.authentication.delay.ms. */
  failedAuthenticationDelayMs: number;
  /** Kafka's sasl.server.max.receive.size: the largest frame before authentication. */
  maxPreAuthFrameBytes: number;
  topicIds: TopicIdDirectory;
  brokers: BrokerDirectory;
  topicPolicies?: TopicPolicies;
  /** Byte, request and connection quotas of vclusters and their principals. */
  quotas?: QuotaManager;
  rewrites: ResponseRewrites;
  /** Keeps kgate's own topics out of the passthrough view. */
  internalTopics?: InternalTopicsGuard;
  clock(): number;
  log(message: string): void;
  /** The audit trail: logins and topic changes of this connection. */
  audit?: AuditTrail;
  /** The client's address and kgate's connection id, for audit events. */
  source?: string;
  connectionId?: number;
  /**
   * The upstream login for a vcluster's connections when it has backing ACLs (its own SCRAM
   * principal); undefined for one without. Rejects when `generation` is no longer the vcluster's.
   */
  backingCredentials?(vcluster: string, generation: string | undefined): Promise<SaslCredentials | undefined>;
  /** Counts a refused login (kgate_authentication_failures_total). */
  onAuthenticationFailure?(reason: AuthenticationFailureReason): void;
  /** Vcluster ACLs: the live settings the data plane checks, and the store behind the ACL APIs. */
  acls?: { settings: AclSettingsSource; admin: AclAdmin };
  /** The client's IP address, the host an ACL names. */
  clientHost?: string;
}

export class VclusterPolicy implements SessionPolicy {
  /** The bound view: a vcluster name, "passthrough", or null before authentication. */
  view: string | null = null;
  tokenId: string | undefined;
  private tenant: Tenant | null = null;
  private generation: string | undefined;
  private identity: LoginIdentity | null = null;
  /** How the view was bound: by login, by the listener's pin, or as the anonymous view. */
  private boundBy: "login" | "pinned" | "anonymous" | null = null;
  /** Set when this connection must be refused whatever it sends (fail closed). */
  private readonly refusal: string | null = null;
  private passthrough: PassthroughPolicy | null = null;
  /** The mechanism of the handshake in progress, until its authentication ends. */
  private mechanism: SaslMechanism | null = null;
  private scram: ScramServer | null = null;
  private scramAccount: ScramAccount | null = null;
  /** After a SaslHandshake v0: the next frames are bare SASL tokens until the mechanism completes. */
  private unframedTokens = false;
  /** Why an OAUTHBEARER token was refused, once the error challenge went out (awaiting the client's \x01). */
  private bearerRefusal: string | null = null;
  private preAuthApiVersions = 0;
  private sessionExpiresAt = Infinity;
  // Lines about this connection's requests (a topic policy refusal) name the connection.
  private readonly connection: ConnectionState = { fetchSessions: new FetchSessions(), log: (line) => this.deps.log(line) };
  private readonly quota: ConnectionQuota | null;

  constructor(private readonly deps: VclusterPolicyDeps) {
    this.quota = deps.quotas ? new ConnectionQuota(deps.quotas, deps.clock) : null;
    this.connection.acl = () => this.aclDecisions();
    const { pinned, hostVcluster } = deps.listenerViews();
    if (pinned !== undefined && hostVcluster !== undefined && pinned !== hostVcluster) {
      this.refusal = `the listener is pinned to vcluster ${pinned}, but the connection's host name pins ${hostVcluster}`;
    } else if (pinned !== undefined) {
      if (this.bind(pinned)) {
        this.boundBy = "pinned";
        // Counted from the start: clients of a pinned listener need not log in.
        const overLimit = pinned === PASSTHROUGH ? null : this.quota?.login(pinned, undefined) ?? null;
        if (overLimit !== null) this.refusal = `connection refused: ${overLimit}`;
      } else {
        this.refusal = `the listener is pinned to vcluster ${pinned}, which does not exist`;
      }
    }
  }

  /** The logged-in user name, for log lines about this connection. */
  get principal(): string | undefined {
    return this.identity?.username;
  }

  get awaitingAuthentication(): boolean {
    if (this.view !== null) return false;
    const { anonymous } = this.deps.listenerViews();
    const anonymousView = anonymous !== undefined && this.hostAllows(anonymous);
    return this.refusal !== null || (!anonymousView && this.deps.certificate === null);
  }

  maxRequestBytes(): number {
    return this.awaitingAuthentication ? this.deps.maxPreAuthFrameBytes : Infinity;
  }

  /**
   * A vcluster with backing ACLs: its own backing principal (fail closed: the incarnation the
   * connection was bound to, or no backing connection at all).
   */
  upstreamCredentials(): Promise<SaslCredentials | undefined> | undefined {
    if (this.view === null || this.view === PASSTHROUGH || !this.deps.backingCredentials) return undefined;
    return this.deps.backingCredentials(this.view, this.generation);
  }

  recheck(): string | null {
    if (this.view === null) return null;
    const { pinned, anonymous } = this.deps.listenerViews();
    if (this.boundBy === "pinned" && pinned !== this.view) return `the listener is no longer pinned to vcluster ${this.view}`;
    if (this.boundBy === "anonymous" && anonymous !== this.view) return `anonymous access to ${this.view} is no longer configured`;
    if (this.boundBy === "login" && pinned !== undefined && pinned !== this.view) return `the listener is now pinned to vcluster ${pinned}`;
    if (this.view !== PASSTHROUGH && this.deps.vclusterGeneration(this.view) !== this.generation) {
      return `vcluster ${this.view} was deleted`;
    }
    return this.identity ? this.deps.identityProblem(this.identity) : null;
  }

  throttledUntil(): number {
    return this.quota?.throttledUntil ?? 0;
  }

  onClose(): void {
    this.quota?.release();
  }

  expectsRawSaslToken(): boolean {
    return this.unframedTokens;
  }

  async onRawSaslToken(frame: Uint8Array): Promise<RequestOutcome> {
    const outcome = await this.authenticate(authenticateRequestFor(frame), UNFRAMED_TOKEN_HEAD);
    // SCRAM's first round leaves the mechanism in progress: its proof comes bare as well.
    this.unframedTokens = this.mechanism !== null;
    return unframedOutcome(outcome);
  }

  onRequest(frame: Uint8Array, head: RequestHead): RequestOutcome | Promise<RequestOutcome> {
    if (this.refusal !== null) return { kind: "close", reason: this.refusal };
    switch (head.apiKey) {
      case API_VERSIONS_KEY:
        return this.apiVersions(frame, head);
      case SASL_HANDSHAKE:
        return this.handshake(frame, head);
      case SASL_AUTHENTICATE:
        return this.authenticate(frame, head);
    }
    if (this.view === null) {
      const { anonymous } = this.deps.listenerViews();
      // The client certificate counts only if the client did not log in with SASL (SASL wins).
      const certificate = this.deps.certificate;
      if (certificate !== null) {
        const refused = this.bindCertificate(certificate);
        if (refused) return { kind: "close", reason: refused };
      } else if (anonymous !== undefined && this.hostAllows(anonymous) && this.bind(anonymous)) {
        this.boundBy = "anonymous";
        const overLimit = anonymous === PASSTHROUGH ? null : this.quota?.login(anonymous, undefined) ?? null;
        if (overLimit !== null) return { kind: "close", reason: `anonymous connection refused: ${overLimit}` };
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
    if (isClientTelemetry(head.apiKey)) return answerClientTelemetry(frame, head);
    if (isAclApi(head.apiKey)) return this.aclApi(frame, head);
    const acksZero = head.apiKey === PRODUCE && produceAcks(frame, head.apiVersion) === 0;
    if (this.quota && head.apiKey === FETCH) this.connection.fetchMaxBytes = this.quota.fetchMaxBytes();
    const tenantOutcome = tenantRequest(frame, head, this.tenant!, this.deps, this.connection, acksZero);
    const quota = this.quota;
    const outcome = quota ? tenantOutcome.then((o) => quota.apply(o, head, frame.length, acksZero)) : tenantOutcome;
    return this.deps.audit?.enabled && isAuditedTopicChange(head.apiKey) ? outcome.then((o) => this.audited(o, head)) : outcome;
  }

  /** The session's ACL decisions in its vcluster, or null when the vcluster has ACLs off. */
  private aclDecisions(): AclDecisions | null {
    const settings = this.tenant && this.deps.acls?.settings(this.tenant.name);
    if (!settings) return null;
    const principal = this.identity ? `User:${this.identity.username}` : ANONYMOUS_PRINCIPAL;
    return new AclDecisions(settings, { principal, host: this.deps.clientHost ?? "" });
  }

  /** CreateAcls, DescribeAcls, DeleteAcls: answered from the store for this vcluster only. */
  private aclApi(frame: Uint8Array, head: RequestHead): Promise<RequestOutcome> | RequestOutcome {
    const acls = this.deps.acls;
    const tenant = this.tenant!;
    if (!acls) {
      const message = "ACLs are not available in this gateway";
      const answer = errorResponse(head.apiKey, head.apiVersion, head.correlationId, ErrorCode.CLUSTER_AUTHORIZATION_FAILED, message);
      return answer ? { kind: "answer", frame: answer } : { kind: "close", reason: message };
    }
    return answerAclApi(frame, head, {
      vcluster: tenant.name,
      decisions: this.aclDecisions(),
      admin: acls.admin,
      audit: (e) =>
        this.deps.audit?.record({
          ...e,
          actor: this.identity?.username ?? "anonymous",
          vcluster: tenant.name,
          source: this.deps.source,
          requestId: this.deps.connectionId === undefined ? undefined : `${this.deps.connectionId}/${head.correlationId}`,
        }),
    });
  }

  /** Records the topic changes a tenant request made (or was refused), from the response the client gets. */
  private audited(outcome: RequestOutcome, head: RequestHead): RequestOutcome {
    const who = {
      actor: this.identity?.username ?? "anonymous",
      vcluster: this.view ?? undefined,
      source: this.deps.source,
      requestId: this.deps.connectionId === undefined ? undefined : String(this.deps.connectionId),
    };
    const emit = (response: Frame) => {
      try {
        for (const e of topicChangeEvents(head, response, who)) this.deps.audit!.record(e);
      } catch (e) {
        this.deps.log(`audit: response not decodable (${(e as Error).message})`);
      }
    };
    if (outcome.kind === "answer" && outcome.frame) emit(outcome.frame);
    if (outcome.kind !== "forward" || !outcome.expectResponse) return outcome;
    const rewrite = outcome.rewrite;
    return {
      ...outcome,
      rewrite: async (frame) => {
        const out = rewrite ? await rewrite(frame) : frame;
        emit(out);
        return out;
      },
    };
  }

  /** Binds the certificate's identity, or says why it cannot be. */
  private bindCertificate(certificate: CertificateIdentity): string | null {
    const { pinned } = this.deps.listenerViews();
    if (pinned !== undefined && certificate.vcluster !== pinned) {
      return `client certificate of "${certificate.username}" belongs to ${certificate.vcluster}, but the listener is pinned to ${pinned}`;
    }
    if (!this.hostAllows(certificate.vcluster)) {
      return `client certificate of "${certificate.username}" belongs to ${certificate.vcluster}, but the connection's host name pins ${this.deps.listenerViews().hostVcluster}`;
    }
    const overLimit = this.quota?.login(certificate.vcluster, certificate.username) ?? null;
    if (overLimit !== null) return `client certificate of "${certificate.username}" refused: ${overLimit}`;
    if (!this.bind(certificate.vcluster)) return `client certificate of "${certificate.username}" names missing vcluster ${certificate.vcluster}`;
    this.boundBy = "login";
    this.identity = { username: certificate.username, vcluster: certificate.vcluster, via: "certificate" };
    this.deps.log(`authenticated "${certificate.username}" into ${certificate.vcluster} via client certificate`);
    this.auditLogin(certificate.username, certificate.vcluster, "success", "certificate");
    return null;
  }

  /** Whether the connection's host name (SNI) lets it into `view`. */
  private hostAllows(view: string): boolean {
    const { hostVcluster } = this.deps.listenerViews();
    return hostVcluster === undefined || hostVcluster === view;
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
    this.generation = this.deps.vclusterGeneration(view);
    this.passthrough = null;
    return true;
  }

  /**
   * Answered by kgate from the backing cluster's versions (cached), clamped to what a vcluster
   * offers: a client that never logs in never causes a backing connection.
   */
  private async apiVersions(frame: Uint8Array, head: RequestHead): Promise<RequestOutcome> {
    // Kafka takes one ApiVersions before the SASL handshake; kgate allows a few (a client may
    // retry with a lower version), not a loop of local answers.
    if (this.awaitingAuthentication && ++this.preAuthApiVersions > MAX_PRE_AUTH_API_VERSIONS) {
      return { kind: "close", reason: `more than ${MAX_PRE_AUTH_API_VERSIONS} ApiVersions requests before authentication` };
    }
    if (head.apiVersion > apiSpec(API_VERSIONS_KEY)!.maxVersion) {
      return { kind: "answer", frame: unsupportedApiVersionsResponse(head.correlationId) };
    }
    if (this.passthrough) return this.passthrough.onRequest(frame, head);
    let backing: ApiVersionsResponse;
    try {
      backing = await this.deps.backingApiVersions();
    } catch (e) {
      return { kind: "close", reason: `backing cluster unavailable for ApiVersions: ${(e as Error).message}` };
    }
    const body = vclusterApiVersions(backing);
    return { kind: "answer", frame: encodeResponse(API_VERSIONS_KEY, head.apiVersion, { correlationId: head.correlationId }, body) };
  }

  private handshake(frame: Uint8Array, head: RequestHead): RequestOutcome {
    // Kafka re-authenticates only over SaslAuthenticate (KIP-368 needs v1 and up), never bare tokens.
    if (head.apiVersion === 0 && this.identity !== null) {
      return { kind: "close", reason: "SaslHandshake v0 after authentication (re-authentication needs SaslHandshake v1)" };
    }
    // As Kafka's SaslServerAuthenticator: a handshake is followed by its authentication, not by
    // another handshake (a loop of locally answered handshakes would cost kgate, not the client).
    if (this.mechanism !== null) return { kind: "close", reason: "SaslHandshake repeated before SaslAuthenticate" };
    const { body } = decodeRequest<SaslHandshakeRequest>(frame);
    const ok = (SASL_MECHANISMS as readonly string[]).includes(body.mechanism);
    if (ok) {
      this.mechanism = body.mechanism as SaslMechanism;
      this.unframedTokens = head.apiVersion === 0;
    }
    const answer = encodeResponse(SASL_HANDSHAKE, head.apiVersion, { correlationId: head.correlationId }, {
      errorCode: ok ? ErrorCode.NONE : ErrorCode.UNSUPPORTED_SASL_MECHANISM,
      mechanisms: [...SASL_MECHANISMS],
    });
    return ok
      ? { kind: "answer", frame: answer }
      : { kind: "answer", frame: answer, closeAfter: `SASL mechanism ${body.mechanism} is not offered (${SASL_MECHANISMS.join(", ")})` };
  }

  private async authenticate(frame: Uint8Array, head: RequestHead): Promise<RequestOutcome> {
    const reply = (errorCode: number, errorMessage: string | null, lifetimeMs = 0n, authBytes: Uint8Array = new Uint8Array(0)) =>
      encodeResponse(SASL_AUTHENTICATE, head.apiVersion, { correlationId: head.correlationId }, {
        errorCode,
        errorMessage,
        authBytes,
        sessionLifetimeMs: lifetimeMs,
      });
    const mechanism = this.mechanism;
    if (mechanism === null) {
      return {
        kind: "answer",
        frame: reply(ErrorCode.ILLEGAL_SASL_STATE, "SaslAuthenticate before SaslHandshake"),
        closeAfter: "SaslAuthenticate before SaslHandshake",
      };
    }
    const { body } = decodeRequest<SaslAuthenticateRequest>(frame);
    const refused = (reason: string, failure: AuthenticationFailureReason = "invalid_credentials") => {
      this.mechanism = null;
      this.scram = null;
      return this.refuseLogin(reply(ErrorCode.SASL_AUTHENTICATION_FAILED, "Authentication failed: invalid credentials"), reason, failure);
    };
    let login: LoginResult;
    if (mechanism === "OAUTHBEARER") {
      return this.oauthBearer(body.authBytes, reply, refused);
    } else if (mechanism === "PLAIN") {
      let username = "";
      try {
        const creds = parsePlainMessage(body.authBytes);
        username = creds.username;
        if (creds.authzid && creds.authzid !== creds.username) throw new Error("authorization id must equal the username");
        const result = await this.deps.authenticate(creds.username, creds.password);
        if (!result.ok) return refused(`authentication of "${username}" failed: ${result.reason}`);
        login = result;
      } catch (e) {
        return refused(`authentication of "${username}" failed: ${(e as Error).message}`, "malformed");
      }
    } else if (this.scram === null) {
      // SCRAM, first round: the client's first message; answered with salt and nonce.
      let account: ScramAccount | undefined;
      this.scram = new ScramServer(mechanism, (name) => (account = this.deps.scramAccount(name, mechanism))?.credential);
      try {
        const serverFirst = this.scram.first(body.authBytes);
        this.scramAccount = account!;
        return { kind: "answer", frame: reply(ErrorCode.NONE, null, 0n, serverFirst) };
      } catch (e) {
        return refused(`${mechanism} authentication failed: ${(e as Error).message}`);
      }
    } else {
      // SCRAM, second round: the client's proof; answered with the server's.
      try {
        const serverFinal = await this.scram.final(body.authBytes);
        const account = this.scramAccount!;
        login = { ok: true, vcluster: account.vcluster, username: account.username, via: "scram" };
        this.scram = null;
        return this.completeLogin(
          login,
          (error, message, lifetime) => reply(error, message, lifetime, error === ErrorCode.NONE ? serverFinal : new Uint8Array(0)),
        );
      } catch (e) {
        return refused(`${mechanism} authentication failed: ${(e as Error).message}`);
      }
    }
    return this.completeLogin(login, reply);
  }

  /**
   * KIP-255: a refused token gets the JSON error as a challenge (after the failed-login delay),
   * the client answers \x01, and only then comes the failure, as from Kafka's OAuthBearerSaslServer.
   */
  private async oauthBearer(
    authBytes: Uint8Array,
    reply: (errorCode: number, errorMessage: string | null, lifetimeMs?: bigint, authBytes?: Uint8Array) => Frame,
    refused: (reason: string) => Promise<RequestOutcome>,
  ): Promise<RequestOutcome> {
    if (this.bearerRefusal !== null) {
      const reason = this.bearerRefusal;
      this.bearerRefusal = null;
      this.mechanism = null;
      const ack = isOAuthBearerErrorAck(authBytes) ? "" : " (and the client did not acknowledge the error)";
      return { kind: "answer", frame: reply(ErrorCode.SASL_AUTHENTICATION_FAILED, "Authentication failed: invalid token"), closeAfter: `${reason}${ack}` };
    }
    let token: string;
    try {
      const message = parseOAuthBearerMessage(authBytes);
      token = message.token;
      if (message.authzid !== "") {
        // Kafka accepts an authorization id only equal to the token's principal; kgate accepts none.
        throw new Error("an authorization id is not supported");
      }
    } catch (e) {
      return refused(`OAUTHBEARER authentication failed: ${(e as Error).message}`);
    }
    const result = await this.deps.authenticateBearer(token);
    if (!result.ok) {
      this.bearerRefusal = `OAUTHBEARER authentication failed: ${result.reason}`;
      // Logged now: a client that ignores the challenge (kafkajs) never sends the \x01.
      this.deps.log(this.bearerRefusal);
      await new Promise((resolve) => setTimeout(resolve, this.deps.failedAuthenticationDelayMs));
      return { kind: "answer", frame: reply(ErrorCode.NONE, null, 0n, oauthBearerErrorChallenge()) };
    }
    return this.completeLogin(result, reply);
  }

  /**
   * The one binding step every identity goes through (principal → vcluster → allowed here):
   * the listener's pin, re-authentication keeping its vcluster, the vcluster still existing.
   */
  private async completeLogin(
    login: LoginResult,
    reply: (errorCode: number, errorMessage: string | null, lifetimeMs?: bigint) => Frame,
  ): Promise<RequestOutcome> {
    this.mechanism = null; // each authentication needs its own handshake (KIP-368 re-auth too)
    const { username, vcluster } = login;
    const { pinned } = this.deps.listenerViews();
    if (pinned !== undefined && vcluster !== pinned) {
      return this.refuseLogin(
        reply(ErrorCode.SASL_AUTHENTICATION_FAILED, "Authentication failed: invalid credentials"),
        `"${username}" belongs to ${vcluster}, but the listener is pinned to ${pinned}`,
        "wrong_listener",
      );
    }
    if (!this.hostAllows(vcluster)) {
      const reason = `"${username}" belongs to ${vcluster}, but the connection's host name pins ${this.deps.listenerViews().hostVcluster}`;
      return this.refuseLogin(reply(ErrorCode.SASL_AUTHENTICATION_FAILED, "Authentication failed: invalid credentials"), reason, "wrong_listener");
    }
    if (this.view !== null && this.view !== vcluster) {
      const reason = `re-authentication as "${username}" would move the connection from ${this.view} to ${vcluster}`;
      this.deps.onAuthenticationFailure?.("vcluster_change");
      return { kind: "answer", frame: reply(ErrorCode.SASL_AUTHENTICATION_FAILED, "Re-authentication must keep the same virtual cluster"), closeAfter: reason };
    }
    const overLimit = this.quota?.login(vcluster, username) ?? null;
    if (overLimit !== null) {
      const message = `Connection refused: ${overLimit}`;
      return this.refuseLogin(reply(ErrorCode.SASL_AUTHENTICATION_FAILED, message), `"${username}": ${overLimit}`, "connection_limit");
    }
    if (!this.bind(vcluster)) {
      this.deps.onAuthenticationFailure?.("missing_vcluster");
      return {
        kind: "answer",
        frame: reply(ErrorCode.SASL_AUTHENTICATION_FAILED, "Authentication failed"),
        closeAfter: `vcluster ${vcluster} no longer exists`,
      };
    }
    if (this.boundBy !== "pinned") this.boundBy = "login";
    this.identity = { username, vcluster, via: login.via, tokenId: login.tokenId };
    this.tokenId = login.tokenId;
    this.sessionExpiresAt = login.expiresAt ?? Infinity;
    const lifetime = login.expiresAt === undefined ? 0n : BigInt(Math.max(1, login.expiresAt - this.deps.clock()));
    this.deps.log(`authenticated "${username}" into ${vcluster} via ${login.via}`);
    this.auditLogin(username, vcluster, "success", login.via);
    return { kind: "answer", frame: reply(ErrorCode.NONE, null, lifetime) };
  }

  /** Kafka answers a failed login only after a delay, to slow down password guessing. */
  private auditLogin(actor: string, vcluster: string | undefined, outcome: "success" | "failure", detail: string): void {
    this.deps.audit?.record({
      actor,
      vcluster,
      action: "login",
      outcome,
      detail,
      source: this.deps.source,
      requestId: this.deps.connectionId === undefined ? undefined : String(this.deps.connectionId),
    });
  }

  private async refuseLogin(frame: Frame, reason: string, failure: AuthenticationFailureReason): Promise<RequestOutcome> {
    this.deps.onAuthenticationFailure?.(failure);
    // The reason names the user where one was given (e.g. `authentication of "alice" failed: …`).
    this.auditLogin(/"([^"]*)"/.exec(reason)?.[1] ?? "-", undefined, "failure", reason);
    await new Promise((resolve) => setTimeout(resolve, this.deps.failedAuthenticationDelayMs));
    return { kind: "answer", frame, closeAfter: reason };
  }
}

function apiName(apiKey: number): string {
  return apiSpec(apiKey)?.name ?? `api key ${apiKey}`;
}
