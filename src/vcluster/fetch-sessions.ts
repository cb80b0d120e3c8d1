// Fetch sessions (KIP-227) live in the broker under a numeric id, not under a connection or a
// principal. A tenant may only use a session the broker opened for it on this connection;
// anything else is answered FETCH_SESSION_ID_NOT_FOUND, and the client starts a new session.
//
// An incremental session's response may carry partitions named in any earlier request of the
// session, not only in this one. Each request's topic ids are checked (a foreign or unknown id
// is swapped for a fake one), so a session stays "clean" while none of its requests needed a
// swap: its responses then hold only the tenant's partitions and may pass as received bytes
// (the cut-through fast path). A session that ever held a swapped id is checked response by
// response instead. The bookkeeping per connection is bounded: a client cannot grow it by
// opening sessions, and sessions closed (epoch -1, or replaced) are forgotten.
import { Reader } from "../protocol/wire.ts";
import { ErrorCode } from "../protocol/error-codes.ts";

const FETCH_FLEXIBLE_FROM = 12;
const FETCH_SESSIONS_FROM = 7;
const FETCH_SESSION_ID_NOT_FOUND = ErrorCode.FETCH_SESSION_ID_NOT_FOUND;
const INVALID_FETCH_SESSION_EPOCH = ErrorCode.INVALID_FETCH_SESSION_EPOCH;
const CLOSE_EPOCH = -1;
const FULL_EPOCH = 0;

/** A consumer needs one session per broker connection; a few more cover restarts in flight. */
export const MAX_FETCH_SESSIONS_PER_CONNECTION = 16;

/** What one Fetch request means for the bookkeeping, and what its response must go through. */
export interface FetchExchange {
  /** The response may hold partitions the tenant does not own: decode and filter it. */
  readonly responseNeedsCheck: boolean;
  /** Learns the outcome from the start of the response (header + first fields). */
  observeResponseHead(head: Uint8Array): void;
}

export class FetchSessions {
  /** Session id → whether every id ever sent in it was the tenant's. Oldest first. */
  private readonly sessions = new Map<number, { clean: boolean }>();

  constructor(private readonly maxSessions = MAX_FETCH_SESSIONS_PER_CONNECTION) {}

  get size(): number {
    return this.sessions.size;
  }

  /** Whether a request may name `sessionId` (0 means "no session" and is always fine). */
  allows(sessionId: number): boolean {
    return sessionId === 0 || this.sessions.has(sessionId);
  }

  /**
   * Called once the request's ids are checked; `swapped` tells whether any was replaced. The
   * request must have passed `allows`.
   */
  exchange(version: number, sessionId: number, epoch: number, swapped: boolean): FetchExchange {
    if (version < FETCH_SESSIONS_FROM) return { responseNeedsCheck: swapped, observeResponseHead: () => {} };
    if (sessionId !== 0 && epoch > FULL_EPOCH) {
      // Incremental: the response can carry anything the session ever held.
      // (Evicted since `allows` by a newer session: checked, and the broker will refuse it.)
      const session = this.sessions.get(sessionId) ?? { clean: false };
      if (swapped) session.clean = false;
      return {
        responseNeedsCheck: !session.clean,
        observeResponseHead: (head) => {
          const r = responseStart(head, version);
          if (r.errorCode === FETCH_SESSION_ID_NOT_FOUND || r.errorCode === INVALID_FETCH_SESSION_EPOCH) this.sessions.delete(sessionId);
        },
      };
    }
    // A full fetch: it closes the named session (if any); with epoch 0 it opens a new one that
    // holds exactly this request's partitions.
    if (sessionId !== 0) this.sessions.delete(sessionId);
    if (epoch === CLOSE_EPOCH) return { responseNeedsCheck: swapped, observeResponseHead: () => {} };
    return {
      responseNeedsCheck: swapped,
      observeResponseHead: (head) => {
        const r = responseStart(head, version);
        if (r.errorCode === 0 && r.sessionId !== 0) this.remember(r.sessionId, !swapped);
      },
    };
  }

  private remember(sessionId: number, clean: boolean): void {
    this.sessions.delete(sessionId);
    this.sessions.set(sessionId, { clean });
    // The oldest goes first; its client is told FETCH_SESSION_ID_NOT_FOUND and starts afresh.
    while (this.sessions.size > this.maxSessions) this.sessions.delete(this.sessions.keys().next().value!);
  }
}

function responseStart(head: Uint8Array, version: number): { errorCode: number; sessionId: number } {
  const r = new Reader(head, 8); // size prefix and correlation id
  if (version >= FETCH_FLEXIBLE_FROM) r.taggedFields(() => false);
  r.int32(); // throttle time
  const errorCode = r.int16();
  const sessionId = r.int32();
  return { errorCode, sessionId };
}
