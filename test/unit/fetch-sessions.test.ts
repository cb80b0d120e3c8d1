// Per-connection fetch-session bookkeeping: bounded, forgets closed sessions, and knows when a
// session's responses may carry partitions of ids that were swapped out (invariants 1 and 4).
import { describe, expect, test } from "bun:test";
import { FetchSessions, MAX_FETCH_SESSIONS_PER_CONNECTION } from "../../src/vcluster/fetch-sessions.ts";

const V = 15;

/** The start of a Fetch v12+ response: size, correlation id, header tags, throttle, error, session. */
function responseHead(errorCode: number, sessionId: number): Uint8Array {
  const b = new Uint8Array(64);
  const view = new DataView(b.buffer);
  view.setInt32(0, 60);
  view.setInt32(4, 1);
  b[8] = 0; // no header tags
  view.setInt32(9, 0);
  view.setInt16(13, errorCode);
  view.setInt32(15, sessionId);
  return b;
}

function open(s: FetchSessions, id: number, swapped = false): void {
  s.exchange(V, 0, 0, swapped).observeResponseHead(responseHead(0, id));
}

describe("fetch sessions", () => {
  test("only sessions opened on this connection are allowed", () => {
    const s = new FetchSessions();
    expect(s.allows(0)).toBe(true);
    expect(s.allows(42)).toBe(false);
    open(s, 42);
    expect(s.allows(42)).toBe(true);
  });

  test("a client opening sessions without end keeps a bounded set; the oldest go first", () => {
    const s = new FetchSessions();
    for (let id = 1; id <= 10_000; id++) open(s, id);
    expect(s.size).toBe(MAX_FETCH_SESSIONS_PER_CONNECTION);
    expect(s.allows(1)).toBe(false);
    expect(s.allows(10_000)).toBe(true);
  });

  test("a session closed with epoch -1, or replaced by a new full fetch, is forgotten", () => {
    const s = new FetchSessions();
    open(s, 7);
    s.exchange(V, 7, -1, false).observeResponseHead(responseHead(0, 0));
    expect(s.allows(7)).toBe(false);
    open(s, 8);
    s.exchange(V, 8, 0, false).observeResponseHead(responseHead(0, 9));
    expect(s.allows(8)).toBe(false);
    expect(s.allows(9)).toBe(true);
    expect(s.size).toBe(1);
  });

  test("a session the broker no longer knows is forgotten", () => {
    const s = new FetchSessions();
    open(s, 5);
    s.exchange(V, 5, 3, false).observeResponseHead(responseHead(70, 5));
    expect(s.allows(5)).toBe(false);
    open(s, 6);
    s.exchange(V, 6, 3, false).observeResponseHead(responseHead(71, 6));
    expect(s.allows(6)).toBe(false);
  });

  test("a session that ever held a swapped id has every later response checked", () => {
    const s = new FetchSessions();
    open(s, 11);
    expect(s.exchange(V, 11, 1, false).responseNeedsCheck).toBe(false);
    expect(s.exchange(V, 11, 2, true).responseNeedsCheck).toBe(true);
    // Nothing new in this request, but the session still holds what was swapped before.
    expect(s.exchange(V, 11, 3, false).responseNeedsCheck).toBe(true);
    // A new session opened with a swapped id starts out checked.
    open(s, 12, true);
    expect(s.exchange(V, 12, 1, false).responseNeedsCheck).toBe(true);
    // A full fetch is checked only when it swapped ids itself.
    expect(s.exchange(V, 0, -1, false).responseNeedsCheck).toBe(false);
    expect(s.exchange(V, 0, 0, true).responseNeedsCheck).toBe(true);
  });
});
