// The regex a tenant subscribes with (KIP-848) is anchored inside its prefix as
// `^prefix(?:regex)$` and matched by the broker with RE2. kgate parses it with RE2 too (re2js),
// so a regex that RE2 does not read as one balanced unit is refused before it reaches the broker.
import { describe, expect, test } from "bun:test";
import { anchoredRegexProblem, anchorRegex, regexProblem, unanchorRegex } from "../../src/vcluster/tenant-regex.ts";
import { Tenant } from "../../src/vcluster/tenant.ts";

const tenant = new Tenant("vc-alice", "vc-alice.");
const accepted = (r: string) => anchoredRegexProblem(tenant, r) === null;

describe("subscribed regex anchoring", () => {
  test("ordinary regexes are accepted and round-trip through the anchoring", () => {
    for (const r of [".*", "orders", "orders\\..*", "(a|b)+", "[a-z]+", "[\\]]x", "[^a]", "(?:x)|y", "a{2,3}", "[.)(]", "\\Q)\\E", "[]a]", "[[:alpha:])]"]) {
      expect([r, accepted(r)]).toEqual([r, true]);
      expect(unanchorRegex(tenant, anchorRegex(tenant, r))).toBe(r);
    }
  });

  test("the anchored form keeps the wire format of earlier versions ('-' and '.' escaped)", () => {
    expect(anchorRegex(tenant, "o.*")).toBe("^vc\\-alice\\.(?:o.*)$");
  });

  test("regexes JavaScript finds balanced but RE2 does not are refused", () => {
    // In RE2 a `]` right after `[` or `[^` is a literal, so the class runs on past it.
    for (const r of ["[^]([])|.*|([^])[]", "[^]\\](^[:alpha:][^])|.*|(a[^])[]", "a[^]([^])|.*|([^])[]"]) {
      expect(() => new RegExp(r, "u")).not.toThrow();
      expect(anchoredRegexProblem(tenant, r)).toContain("unexpected )");
    }
  });

  test("a regex that would swallow or close kgate's group is refused", () => {
    expect(anchoredRegexProblem(tenant, "a)(b")).toContain("unexpected )");
    expect(anchoredRegexProblem(tenant, ".*)|(.*")).toContain("unexpected )");
    expect(anchoredRegexProblem(tenant, "(a")).toContain("missing closing )");
    expect(anchoredRegexProblem(tenant, "[a")).toContain("missing closing ]");
    expect(anchoredRegexProblem(tenant, "a\\")).toContain("trailing backslash");
    // \Q without \E quotes to the end of the pattern: fine alone, but anchored it eats `)$`.
    expect(regexProblem("\\Q(")).toBeNull();
    expect(anchoredRegexProblem(tenant, "\\Q(")).toContain("does not stay one unit");
  });

  test("syntax RE2 lacks (lookaround, backreferences) is refused with RE2's reason", () => {
    expect(anchoredRegexProblem(tenant, "x(?=y)")).toContain("invalid or unsupported Perl syntax");
    expect(anchoredRegexProblem(tenant, "(a)\\1")).not.toBeNull();
  });

  test("an unanchored or foreign regex does not read back as the tenant's", () => {
    expect(unanchorRegex(tenant, ".*")).toBeNull();
    expect(unanchorRegex(tenant, anchorRegex(new Tenant("vc-bob", "vc-bob."), ".*"))).toBeNull();
  });
});
