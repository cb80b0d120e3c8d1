import { describe, expect, test } from "bun:test";
import * as m from "../../src/store/mutations.ts";
import { EMPTY_STATE } from "../../src/store/records.ts";

const NOW = Date.parse("2030-01-01T00:00:00Z");
const S = NOW / 1000;

describe("store mutations", () => {
  test("deleting a vcluster drops its accounts and revokes its tokens, so re-creation does not revive them", () => {
    let state = m.putVcluster(EMPTY_STATE, { name: "a" }, NOW).state;
    state = m.putVcluster(state, { name: "b" }, NOW).state;
    state = m.recordIssuedToken(state, { jti: "live", vcluster: "a", username: "u", issuedAt: S, expiresAt: S + 60 }, NOW).state;
    state = m.recordIssuedToken(state, { jti: "old", vcluster: "a", username: "u", issuedAt: S - 99, expiresAt: S - 1 }, NOW).state;
    state = m.recordIssuedToken(state, { jti: "other", vcluster: "b", username: "u", issuedAt: S, expiresAt: S + 60 }, NOW).state;
    const { state: after, events } = m.deleteVcluster(state, "a", NOW);
    expect(Object.keys(after.vclusters)).toEqual(["b"]);
    expect(Object.keys(after.serviceAccounts)).toEqual(["b/u"]);
    expect(Object.keys(after.tokens)).toEqual(["other"]);
    // "old" too: expired by this node's clock, perhaps not by another's.
    expect(Object.keys(after.revokedTokens)).toEqual(["live", "old"]);
    expect(events).toEqual([{ type: "vcluster-deleted", vcluster: state.vclusters.a! }]);
  });

  test("tokens and revocations are pruned a clock-skew allowance after expiry; an unchanged state stays the same object", () => {
    let state = m.putVcluster(EMPTY_STATE, { name: "a" }, NOW).state;
    state = m.recordIssuedToken(state, { jti: "t", vcluster: "a", username: "u", issuedAt: S, expiresAt: S + 10 }, NOW).state;
    state = m.revokeToken(state, "a", "t").state;
    expect(m.pruneExpired(state, NOW)).toBe(state);
    expect(m.pruneExpired(state, NOW + 10_000)).toBe(state);
    const later = m.pruneExpired(state, NOW + 10_000 + m.CLOCK_SKEW_ALLOWANCE_SECONDS * 1000);
    expect(later.tokens).toEqual({});
    expect(later.revokedTokens).toEqual({});
  });

  test("revoking twice is idempotent; revoking another vcluster's token is not found", () => {
    let state = m.putVcluster(EMPTY_STATE, { name: "a" }, NOW).state;
    state = m.putVcluster(state, { name: "b" }, NOW).state;
    state = m.recordIssuedToken(state, { jti: "t", vcluster: "a", username: "u", issuedAt: S, expiresAt: S + 10 }, NOW).state;
    expect(() => m.revokeToken(state, "b", "t")).toThrow("does not exist");
    const once = m.revokeToken(state, "a", "t");
    const twice = m.revokeToken(once.state, "a", "t");
    expect(twice.state).toBe(once.state);
    expect(twice.events).toEqual([]);
  });
});
