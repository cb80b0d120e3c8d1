import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { defaultPrefix, findPrefixConflict, isReservedVclusterName, isValidVclusterName, prefixSyntaxProblem } from "../../src/model/prefix-rules.ts";

const vclusterName = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/);

describe("vcluster names", () => {
  test("DNS labels only", () => {
    for (const ok of ["a", "vc-alice", "0", "a".repeat(63), "a-1"]) expect(isValidVclusterName(ok)).toBe(true);
    for (const bad of ["", "A", "-a", "a-", "a.b", "a_b", "a".repeat(64), "é"]) expect(isValidVclusterName(bad)).toBe(false);
  });

  test("passthrough is reserved", () => {
    expect(isReservedVclusterName("passthrough")).toBe(true);
    expect(isReservedVclusterName("passthrough2")).toBe(false);
  });
});

describe("prefix syntax", () => {
  test("legal topic characters, starting with a letter or digit", () => {
    expect(prefixSyntaxProblem("alice.")).toBeUndefined();
    expect(prefixSyntaxProblem("Team_A-1.")).toBeUndefined();
    for (const bad of ["", "_x", ".x", "-x", "a b", "a/b", "x".repeat(201)]) expect(prefixSyntaxProblem(bad)).toMatch(/^prefix /);
  });
});

describe("prefix conflicts", () => {
  const existing = [{ name: "alice", prefix: "alice." }, { name: "team", prefix: "team_a." }];

  test("one prefix being a prefix of the other conflicts, in both directions", () => {
    expect(findPrefixConflict("x", "alice.sub.", existing)?.with.name).toBe("alice");
    expect(findPrefixConflict("x", "ali", existing)?.with.name).toBe("alice");
    expect(findPrefixConflict("x", "alice.", existing)?.reason).toContain("overlaps");
  });

  test("'.' and '_' collide as Kafka treats them as the same", () => {
    const conflict = findPrefixConflict("x", "alice_", existing);
    expect(conflict?.with.name).toBe("alice");
    expect(conflict?.reason).toContain("'.' and '_'");
    expect(findPrefixConflict("x", "team.a.", existing)?.with.name).toBe("team");
    expect(findPrefixConflict("x", "team.", existing)?.with.name).toBe("team"); // folded: team_ is a prefix of team_a_
  });

  test("disjoint prefixes and the vcluster itself are fine", () => {
    expect(findPrefixConflict("x", "bob.", existing)).toBeUndefined();
    expect(findPrefixConflict("x", "alicia.", existing)).toBeUndefined();
    expect(findPrefixConflict("alice", "alice.", existing)).toBeUndefined();
  });

  test("default prefixes of distinct names never conflict", () => {
    fc.assert(
      fc.property(vclusterName, vclusterName, (a, b) => {
        fc.pre(a !== b);
        expect(findPrefixConflict(a, defaultPrefix(a), [{ name: b, prefix: defaultPrefix(b) }])).toBeUndefined();
      }),
    );
  });

  test("a conflict is symmetric", () => {
    const prefix = fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,8}$/);
    fc.assert(
      fc.property(prefix, prefix, (p, q) => {
        const pq = findPrefixConflict("p", p, [{ name: "q", prefix: q }]) !== undefined;
        const qp = findPrefixConflict("q", q, [{ name: "p", prefix: p }]) !== undefined;
        expect(pq).toBe(qp);
      }),
    );
  });
});
