// Tenant regexes run on RE2: linear time whatever the pattern, full-match semantics for
// ListTransactions, refusals with RE2's reason, and the KIP-848 rules for "" and anchoring.
import { describe, expect, test } from "bun:test";
import { HAND_RULES, type RuleContext } from "../../src/vcluster/hand-rules.ts";
import { fullMatcher, MAX_REGEX_PROGRAM_SIZE, regexProblem } from "../../src/vcluster/tenant-regex.ts";
import { Tenant } from "../../src/vcluster/tenant.ts";
import { ErrorCode } from "../../src/protocol/error-codes.ts";

type Obj = Record<string, unknown>;
const tenant = new Tenant("vc-alice", "vc-alice.");
const LIST_TRANSACTIONS = 66;
const CONSUMER_GROUP_HEARTBEAT = 68;
const CONSUMER_GROUP_DESCRIBE = 69;

function ctx(): RuleContext {
  return { tenant, version: 0, responseFixups: [] };
}

function matcher(pattern: string): (s: string) => boolean {
  const m = fullMatcher(pattern);
  if (!m.ok) throw new Error(m.problem);
  return m.matches;
}

describe("linear-time tenant regexes", () => {
  test("catastrophic-backtracking patterns match in linear time", () => {
    // A backtracking engine needs about 2^n steps for these; RE2 needs about n.
    const cases: Array<[string, string]> = [["(a+)+$", `${"a".repeat(5000)}b`], ["(x+x+)+y", "x".repeat(5000)], ["(a|aa)+$", `${"a".repeat(5000)}!`]];
    for (const [pattern, input] of cases) {
      const matches = matcher(pattern);
      const start = performance.now();
      for (let i = 0; i < 20; i++) expect(matches(input)).toBe(false);
      const ms = performance.now() - start;
      console.log(`${pattern} x20 on ${input.length} chars: ${ms.toFixed(1)} ms`);
      expect(ms).toBeLessThan(2000); // a backtracking engine would not finish at all
    }
  });

  test("patterns match the whole id, as the broker's Pattern.matches does", () => {
    const m = matcher("tx-[0-9]+");
    expect([m("tx-1"), m("tx-12"), m("my-tx-1"), m("tx-1-retry")]).toEqual([true, true, false, false]);
    expect(matcher("a|b")("ab")).toBe(false);
  });

  test("a huge program is refused even where RE2 would accept it", () => {
    expect(regexProblem("[a-z]{1000}")).toBeNull();
    expect(regexProblem(Array.from({ length: 20 }, () => "[a-z]{1000}").join(""))).toContain(`at most ${MAX_REGEX_PROGRAM_SIZE}`);
  });

  test("ListTransactions filters the tenant's ids with RE2, and refuses a bad pattern", () => {
    const rule = HAND_RULES.get(LIST_TRANSACTIONS)!;
    const c = ctx();
    const body: Obj = { transactionalIdPattern: "(a+)+$" };
    expect(rule.request!(body, c)).toBeUndefined();
    expect(body.transactionalIdPattern).toBeNull();
    const response: Obj = { transactionStates: [{ transactionalId: `${"a".repeat(40)}b` }, { transactionalId: "aaa" }] };
    for (const fix of c.responseFixups) fix(response);
    expect((response.transactionStates as Obj[]).map((t) => t.transactionalId)).toEqual(["aaa"]);
    expect(rule.request!({ transactionalIdPattern: "x(?=y)" }, ctx())).toMatchObject({ errorCode: ErrorCode.INVALID_REGULAR_EXPRESSION });
  });

  test("an empty KIP-848 regex keeps the broker's meaning: sent as is, not anchored", () => {
    const rule = HAND_RULES.get(CONSUMER_GROUP_HEARTBEAT)!;
    const empty: Obj = { subscribedTopicRegex: "" };
    expect(rule.request!(empty, ctx())).toBeUndefined();
    expect(empty.subscribedTopicRegex).toBe("");
    const some: Obj = { subscribedTopicRegex: "(x+x+)+y" };
    expect(rule.request!(some, ctx())).toBeUndefined();
    expect(some.subscribedTopicRegex).toBe("^vc\\-alice\\.(?:(x+x+)+y)$");
    const described: Obj = { groups: [{ members: [{ subscribedTopicRegex: "" }, { subscribedTopicRegex: some.subscribedTopicRegex }] }] };
    HAND_RULES.get(CONSUMER_GROUP_DESCRIBE)!.response!(described, ctx());
    const members = ((described.groups as Obj[])[0]!.members as Obj[]).map((m) => m.subscribedTopicRegex);
    expect(members).toEqual(["", "(x+x+)+y"]);
  });

  test("a KIP-848 regex RE2 cannot parse is refused with INVALID_REGULAR_EXPRESSION", () => {
    const refusal = HAND_RULES.get(CONSUMER_GROUP_HEARTBEAT)!.request!({ subscribedTopicRegex: "[^](a)|.*|([^])[]" }, ctx());
    expect(refusal).toMatchObject({ errorCode: ErrorCode.INVALID_REGULAR_EXPRESSION });
  });
});
