// One connection's side of the quotas, as Kafka's broker applies them (KafkaApis with
// ClientQuotaManager and ClientRequestQuotaManager, KIP-219): each request counts against the
// request rate, a Produce's bytes against the produce rate when it arrives, a Fetch response's
// bytes against the fetch rate when it starts to come back. Over a quota, the response goes out
// at once with throttle_time_ms raised to kgate's throttle (the larger of the broker's and
// kgate's), and kgate then stops reading the connection for that long (the session mutes the
// channel, as for backpressure). Byte and request quotas never produce an error.
//
// Unlike the broker, kgate does not empty a throttled Fetch response: the records pass as
// received (invariant 3), and the muting that follows is longer by as much.
import type { Frame, RequestHead, RequestOutcome } from "../gateway/session-policy.ts";
import { raiseThrottleTimeInPlace, throttleTimeIsFirst, withThrottleTime } from "../protocol/throttle-time.ts";
import type { ConnectionRefusal, QuotaManager } from "./quota-manager.ts";

const PRODUCE = 0;
const FETCH = 1;

export class ConnectionQuota {
  /** kgate does not read this connection before this time (ms since the epoch). */
  throttledUntil = 0;
  private bound: { vcluster: string; principal: string | undefined } | null = null;

  constructor(private readonly manager: QuotaManager, private readonly clock: () => number = Date.now) {}

  /**
   * Takes the connection's slot in its vcluster (and principal) when it gets a view: at login,
   * or with no principal for an anonymous or pinned view; a re-authentication as the same
   * principal keeps it. Returns why the connection must be refused, or null.
   */
  login(vcluster: string, principal: string | undefined): ConnectionRefusal | null {
    const b = this.bound;
    if (b && b.vcluster === vcluster && b.principal === principal) return null;
    const refusal = this.manager.admit(vcluster, principal, b ?? undefined);
    if (refusal !== null) return refusal;
    this.bound = { vcluster, principal };
    return null;
  }

  /** The largest Fetch the fetch quotas allow now (undefined: no fetch quota, or not logged in). */
  fetchMaxBytes(): number | undefined {
    return this.bound ? this.manager.fetchMaxBytes(this.bound.vcluster, this.bound.principal) : undefined;
  }

  /** Gives the slot back (the connection closed). */
  release(): void {
    if (this.bound) this.manager.release(this.bound.vcluster, this.bound.principal);
    this.bound = null;
  }

  /** The outcome of a tenant request with the quotas applied to it and to its response. */
  apply(outcome: RequestOutcome, head: RequestHead, requestBytes: number, acksZero: boolean): RequestOutcome {
    const b = this.bound;
    if (!b || outcome.kind === "close") return outcome;
    const { vcluster, principal } = b;
    // As the broker: acks=0 produce requests are not held against the request quota.
    let throttle = acksZero ? 0 : this.manager.record("request", vcluster, principal, 1);
    if (head.apiKey === PRODUCE) throttle = Math.max(throttle, this.manager.record("produce", vcluster, principal, requestBytes));
    if (outcome.kind === "answer") {
      this.mute(throttle);
      return throttle > 0 && outcome.frame ? { ...outcome, frame: withThrottleTime(outcome.frame, head.apiKey, head.apiVersion, throttle) } : outcome;
    }
    if (head.apiKey === FETCH && outcome.expectResponse) return this.fetchResponseQuota(outcome, head, throttle, vcluster, principal);
    this.mute(throttle);
    if (throttle <= 0 || !outcome.expectResponse) return outcome;
    if (throttleTimeIsFirst(head.apiKey, head.apiVersion)) {
      const seen = outcome.onResponseHead;
      return {
        ...outcome,
        onResponseHead: (h) => {
          raiseThrottleTimeInPlace(h, head.apiKey, head.apiVersion, throttle);
          seen?.(h);
        },
      };
    }
    const rewrite = outcome.rewrite;
    return {
      ...outcome,
      rewrite: async (frame): Promise<Frame> => {
        const out = rewrite ? await rewrite(frame) : frame;
        return withThrottleTime(out, head.apiKey, head.apiVersion, throttle);
      },
    };
  }

  /** The fetch quota counts the response's size, known from its first bytes (streamed or not). */
  private fetchResponseQuota(
    outcome: Extract<RequestOutcome, { kind: "forward" }>,
    head: RequestHead,
    requestThrottle: number,
    vcluster: string,
    principal: string | undefined,
  ): RequestOutcome {
    const seen = outcome.onResponseHead;
    return {
      ...outcome,
      onResponseHead: (h) => {
        const size = h.length >= 4 ? new DataView(h.buffer, h.byteOffset, 4).getInt32(0) + 4 : h.length;
        const throttle = Math.max(requestThrottle, this.manager.record("fetch", vcluster, principal, size));
        if (throttle > 0) raiseThrottleTimeInPlace(h, head.apiKey, head.apiVersion, throttle);
        this.mute(throttle);
        seen?.(h);
      },
    };
  }

  private mute(throttleMs: number): void {
    if (throttleMs > 0) this.throttledUntil = Math.max(this.throttledUntil, this.clock() + throttleMs);
  }
}
