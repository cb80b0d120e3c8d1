// What a session does with each request: the decision point between the byte-moving session and
// the Kafka semantics (transparent proxying, virtual clusters).
import type { SaslCredentials } from "../client/sasl-login.ts";

export interface RequestHead {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
}

export type Frame = Uint8Array | Uint8Array[];

/** Turns a backing broker's response frame into the frame the client receives. */
export type ResponseRewrite = (frame: Uint8Array) => Frame | Promise<Frame>;

export type RequestOutcome =
  /** Send `frame` upstream; `rewrite` (if any) transforms its response; no response for acks=0. */
  | {
    kind: "forward";
    frame: Frame;
    expectResponse: boolean;
    rewrite?: ResponseRewrite;
    /**
     * Sees the start of the response (at least 64 bytes, or all of it), streamed or not, before
     * it is rewritten or sent; it may change those bytes in place (throttle_time_ms).
     */
    onResponseHead?: (head: Uint8Array) => void;
  }
  /** Answer locally, in order with the forwarded requests; `frame` null means no response. */
  | { kind: "answer"; frame: Frame | null; closeAfter?: string }
  /** Close the connection, logging `reason`. */
  | { kind: "close"; reason: string };

export interface SessionPolicy {
  /** What the connection sees: a vcluster name, "passthrough", or null before authentication. */
  readonly view: string | null;
  /** Who the client logged in as, if it did (for log lines about the connection). */
  readonly principal?: string;
  /** The id of the token the client logged in with, if it did (revocation closes the connection). */
  readonly tokenId?: string;
  /** True while authentication is required and not yet done (the authentication timeout runs). */
  readonly awaitingAuthentication: boolean;
  onRequest(frame: Uint8Array, head: RequestHead): RequestOutcome | Promise<RequestOutcome>;
  /**
   * True while the next frame is a bare SASL token, not a Kafka request: after a SaslHandshake
   * v0 the client sends `int32 length + token` frames without a request header until the
   * mechanism completes (as Kafka's SaslServerAuthenticator reads them).
   */
  expectsRawSaslToken?(): boolean;
  /**
   * Handles such a token (`frame` with its size prefix). An answer is written as it is, with no
   * response header: a size-prefixed server token.
   */
  onRawSaslToken?(frame: Uint8Array): RequestOutcome | Promise<RequestOutcome>;
  /** Largest request frame accepted now; smaller before authentication (sasl.server.max.receive.size). */
  maxRequestBytes?(): number;
  /**
   * Called after the store changed: why this connection may no longer keep its view (a deleted
   * vcluster, a revoked token, tenancy beginning under a transparent proxy), or null (invariant 2).
   */
  recheck?(): string | null;
  /**
   * Quotas (KIP-219): the session does not read the client before this time (ms since the
   * epoch); responses already owed still go out.
   */
  throttledUntil?(): number;
  /**
   * Who kgate logs in as on this connection's backing connection, opened after the client's
   * login: a vcluster with backing ACLs has its own principal. Undefined: kgate's own (`backing.sasl`).
   */
  upstreamCredentials?(): Promise<SaslCredentials | undefined> | undefined;
  /** Called once the session has ended, for cleanup. */
  onClose?(): void;
}
