// Fetch sessions (KIP-227) live in the broker under a numeric id, not under a connection or a
// principal. A tenant may only use a session the broker opened for it on this connection;
// anything else is answered FETCH_SESSION_ID_NOT_FOUND, and the client starts a new session.
import { Reader } from "../protocol/wire.ts";

const FETCH_FLEXIBLE_FROM = 12;
const FETCH_SESSIONS_FROM = 7;

export class FetchSessions {
  private readonly ids = new Set<number>();

  /** Whether a request may name `sessionId` (0 means "no session" and is always fine). */
  allows(sessionId: number): boolean {
    return sessionId === 0 || this.ids.has(sessionId);
  }

  /** Learns the session id from the start of a Fetch response (header + first fields). */
  observeResponseHead(head: Uint8Array, version: number): void {
    if (version < FETCH_SESSIONS_FROM) return;
    const r = new Reader(head, 8); // size prefix and correlation id
    if (version >= FETCH_FLEXIBLE_FROM) r.taggedFields(() => false);
    r.int32(); // throttle time
    const errorCode = r.int16();
    const sessionId = r.int32();
    if (errorCode === 0 && sessionId !== 0) this.ids.add(sessionId);
  }
}
