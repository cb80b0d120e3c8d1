// The regex a tenant subscribes with (KIP-848) is anchored inside its prefix as
// `^prefix(?:regex)$` and matched by the broker with RE2. The regex must therefore be one
// balanced unit as RE2 reads it, not only as JavaScript reads it.
import { describe, expect, test } from "bun:test";
import { anchorRegex, re2GroupProblem, regexProblem, unanchorRegex } from "../../src/vcluster/hand-rules.ts";
import { Tenant } from "../../src/vcluster/tenant.ts";

const accepted = (r: string) => regexProblem(r) === null && re2GroupProblem(r) === null;

describe("subscribed regex anchoring", () => {
  test("ordinary regexes pass both checks and round-trip through the anchoring", () => {
    const tenant = new Tenant("vc-alice", "vc-alice.");
    for (const r of [".*", "orders", "orders\\..*", "(a|b)+", "[a-z]+", "[\\]]x", "[^a]", "(?:x)|y", "a{2,3}", "[.)(]"]) {
      expect(accepted(r)).toBe(true);
      expect(unanchorRegex(tenant, anchorRegex(tenant, r))).toBe(r);
    }
  });

  test("regexes JavaScript finds balanced but RE2 does not are refused", () => {
    // In RE2 a `]` right after `[` or `[^` is a literal, so the class runs on past it.
    for (const r of ["[^]([])|.*|([^])[]", "[^]\\](^[:alpha:][^])|.*|(a[^])[]", "a[^]([^])|.*|([^])[]"]) {
      expect(regexProblem(r)).toBeNull();
      expect(re2GroupProblem(r)).not.toBeNull();
    }
  });

  test("RE2-only syntax is read the way RE2 reads it", () => {
    expect(re2GroupProblem("\\Q)\\E")).toBeNull(); // quoted: no group at all
    expect(re2GroupProblem("\\Q(")).not.toBeNull(); // quotes to the end, swallowing kgate's `)`
    expect(re2GroupProblem("[[:alpha:])]")).toBeNull(); // POSIX class inside a bracket
    expect(re2GroupProblem("[]a]")).toBeNull();
    expect(re2GroupProblem("a)(b")).toBe("unbalanced )");
    expect(re2GroupProblem("(a")).toBe("unbalanced (");
    expect(re2GroupProblem("[a")).toBe("unterminated character class");
    expect(re2GroupProblem("a\\")).toBe("trailing backslash");
  });
});
