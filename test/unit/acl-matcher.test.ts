// The ACL matcher against Kafka's StandardAuthorizer rules: patterns, principals, hosts, deny
// wins, default deny, operation implication, authorizeByResourceType, and the filters of
// DescribeAcls/DeleteAcls.
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { AclIndex, filterMatches } from "../../src/model/acl-matcher.ts";
import { type AclBinding, aclBindingProblem, Op, Pattern, Permission, Res } from "../../src/model/acl-model.ts";

const bob = { principal: "User:bob", host: "10.0.0.7" };
const acl = (p: Partial<AclBinding>): AclBinding => ({
  resourceType: Res.TOPIC,
  resourceName: "orders",
  patternType: Pattern.LITERAL,
  principal: "User:bob",
  host: "*",
  operation: Op.WRITE,
  permissionType: Permission.ALLOW,
  ...p,
});
const allows = (acls: AclBinding[], op: number, name = "orders", type: number = Res.TOPIC, who = bob) => new AclIndex(acls).allows(who, op, type, name);

describe("ACL decisions (StandardAuthorizerData)", () => {
  test("default deny; a matching ALLOW allows; DENY wins over ALLOW", () => {
    expect(allows([], Op.WRITE)).toBe(false);
    expect(allows([acl({})], Op.WRITE)).toBe(true);
    expect(allows([acl({}), acl({ permissionType: Permission.DENY, patternType: Pattern.PREFIXED, resourceName: "ord" })], Op.WRITE)).toBe(false);
  });

  test("patterns: LITERAL exact, LITERAL * every name, PREFIXED by prefix; other resource types never", () => {
    expect(allows([acl({})], Op.WRITE, "orders2")).toBe(false);
    expect(allows([acl({ resourceName: "*" })], Op.WRITE, "anything")).toBe(true);
    expect(allows([acl({ patternType: Pattern.PREFIXED, resourceName: "ord" })], Op.WRITE, "orders")).toBe(true);
    expect(allows([acl({ patternType: Pattern.PREFIXED, resourceName: "ord" })], Op.WRITE, "or")).toBe(false);
    expect(allows([acl({ resourceType: Res.GROUP })], Op.WRITE)).toBe(false);
    // "*" is only a wildcard as a literal; a PREFIXED "*" is a prefix like any other.
    expect(allows([acl({ patternType: Pattern.PREFIXED, resourceName: "*" })], Op.WRITE, "orders")).toBe(false);
  });

  test("principals: the session's or User:*; hosts: * or the client's address", () => {
    expect(allows([acl({ principal: "User:alice" })], Op.WRITE)).toBe(false);
    expect(allows([acl({ principal: "User:*" })], Op.WRITE)).toBe(true);
    expect(allows([acl({ host: "10.0.0.7" })], Op.WRITE)).toBe(true);
    expect(allows([acl({ host: "10.0.0.8" })], Op.WRITE)).toBe(false);
    expect(allows([acl({}), acl({ principal: "User:*", permissionType: Permission.DENY })], Op.WRITE)).toBe(false);
  });

  test("ALLOW of READ, WRITE, DELETE, ALTER implies DESCRIBE; ALTER_CONFIGS implies DESCRIBE_CONFIGS; a DENY implies nothing", () => {
    for (const op of [Op.READ, Op.WRITE, Op.DELETE, Op.ALTER, Op.DESCRIBE]) expect(allows([acl({ operation: op })], Op.DESCRIBE)).toBe(true);
    for (const op of [Op.CREATE, Op.ALTER_CONFIGS, Op.DESCRIBE_CONFIGS]) expect(allows([acl({ operation: op })], Op.DESCRIBE)).toBe(false);
    expect(allows([acl({ operation: Op.ALTER_CONFIGS })], Op.DESCRIBE_CONFIGS)).toBe(true);
    expect(allows([acl({ operation: Op.ALTER })], Op.DESCRIBE_CONFIGS)).toBe(false);
    expect(allows([acl({ operation: Op.READ })], Op.WRITE)).toBe(false);
    // DENY READ does not deny DESCRIBE when WRITE is allowed.
    expect(allows([acl({ operation: Op.WRITE }), acl({ operation: Op.READ, permissionType: Permission.DENY })], Op.DESCRIBE)).toBe(true);
  });

  test("ALL matches every operation, allowing and denying", () => {
    expect(allows([acl({ operation: Op.ALL })], Op.DELETE)).toBe(true);
    expect(allows([acl({ operation: Op.READ }), acl({ operation: Op.ALL, permissionType: Permission.DENY })], Op.READ)).toBe(false);
  });

  test("authorizeByResourceType: WRITE on some topic no DENY dominates (IDEMPOTENT_WRITE's fallback)", () => {
    const any = (acls: AclBinding[]) => new AclIndex(acls).allowsAnyOfType(bob, Op.WRITE, Res.TOPIC);
    expect(any([])).toBe(false);
    expect(any([acl({})])).toBe(true);
    expect(any([acl({}), acl({ permissionType: Permission.DENY })])).toBe(false);
    expect(any([acl({}), acl({ permissionType: Permission.DENY, patternType: Pattern.PREFIXED, resourceName: "o" })])).toBe(false);
    expect(any([acl({ patternType: Pattern.PREFIXED }), acl({ permissionType: Permission.DENY })])).toBe(true);
    expect(any([acl({ resourceName: "*" })])).toBe(true);
    expect(any([acl({ resourceName: "*" }), acl({ resourceName: "*", permissionType: Permission.DENY })])).toBe(false);
    expect(any([acl({ operation: Op.READ })])).toBe(false);
    expect(any([acl({ operation: Op.ALL })])).toBe(true);
  });

  const arbBinding = fc.record({
    resourceType: fc.constantFrom(Res.TOPIC, Res.GROUP),
    resourceName: fc.constantFrom("*", "o", "or", "orders", "other", "p"),
    patternType: fc.constantFrom(Pattern.LITERAL, Pattern.PREFIXED),
    principal: fc.constantFrom("User:bob", "User:*", "User:alice"),
    host: fc.constantFrom("*", "10.0.0.7", "10.0.0.8"),
    operation: fc.constantFrom(Op.ALL, Op.READ, Op.WRITE, Op.DESCRIBE, Op.ALTER_CONFIGS, Op.DESCRIBE_CONFIGS, Op.DELETE),
    permissionType: fc.constantFrom(Permission.ALLOW, Permission.DENY),
  });
  const arbAction = fc.record({
    op: fc.constantFrom(Op.READ, Op.WRITE, Op.DESCRIBE, Op.DESCRIBE_CONFIGS, Op.DELETE),
    type: fc.constantFrom(Res.TOPIC, Res.GROUP),
    name: fc.constantFrom("orders", "order", "o", "other", "x"),
  });

  test("property: adding a DENY never allows more, adding an ALLOW never allows less, order does not matter", () => {
    fc.assert(
      fc.property(fc.array(arbBinding, { maxLength: 12 }), arbBinding, arbAction, (acls, extra, a) => {
        const before = allows(acls, a.op, a.name, a.type);
        const after = allows([...acls, extra], a.op, a.name, a.type);
        if (extra.permissionType === Permission.DENY) expect(before || !after).toBe(true);
        else expect(!before || after).toBe(true);
        expect(allows([...acls].reverse(), a.op, a.name, a.type)).toBe(before);
      }),
      { numRuns: 2000 },
    );
  });

  test("property: allowed exactly when an ALLOW covers the action and no DENY does (one ACL at a time)", () => {
    fc.assert(
      fc.property(fc.array(arbBinding, { maxLength: 12 }), arbAction, (acls, a) => {
        const one = (b: AclBinding) => allows([b.permissionType === Permission.DENY ? { ...b, permissionType: Permission.ALLOW } : b], a.op, a.name, a.type);
        const denies = acls.filter((b) => b.permissionType === Permission.DENY).some((b) => {
          // a DENY covers the action when the same binding as ALLOW, without implication, would
          const exact = b.operation === Op.ALL || b.operation === a.op;
          return exact && one({ ...b, operation: Op.ALL });
        });
        const allowed = acls.filter((b) => b.permissionType === Permission.ALLOW).some(one);
        expect(allows(acls, a.op, a.name, a.type)).toBe(allowed && !denies);
      }),
      { numRuns: 2000 },
    );
  });
});

describe("ACL filters (AclBindingFilter.matches)", () => {
  const any = {
    resourceType: Res.ANY,
    resourceName: null,
    patternType: Pattern.ANY,
    principal: null,
    host: null,
    operation: Op.ANY,
    permissionType: Permission.ANY,
  };
  test("ANY matches all; names match exactly unless MATCH, which follows the pattern", () => {
    const prefixed = acl({ patternType: Pattern.PREFIXED, resourceName: "ord" });
    expect(filterMatches(any, prefixed)).toBe(true);
    expect(filterMatches({ ...any, resourceName: "orders" }, prefixed)).toBe(false);
    expect(filterMatches({ ...any, resourceName: "orders", patternType: Pattern.MATCH }, prefixed)).toBe(true);
    expect(filterMatches({ ...any, resourceName: "orders", patternType: Pattern.MATCH }, acl({ resourceName: "*" }))).toBe(true);
    expect(filterMatches({ ...any, patternType: Pattern.LITERAL }, prefixed)).toBe(false);
    expect(filterMatches({ ...any, principal: "User:alice" }, prefixed)).toBe(false);
    expect(filterMatches({ ...any, operation: Op.READ }, prefixed)).toBe(false);
    expect(filterMatches({ ...any, permissionType: Permission.DENY }, prefixed)).toBe(false);
  });
});

describe("ACL validation (CreateAcls inside a vcluster)", () => {
  test("only tenant resource kinds, LITERAL/PREFIXED, concrete operations, User: principals, kafka-cluster", () => {
    expect(aclBindingProblem(acl({}))).toBeNull();
    expect(aclBindingProblem(acl({ resourceType: Res.USER }))).toContain("resourceType");
    expect(aclBindingProblem(acl({ patternType: Pattern.MATCH }))).toContain("patternType");
    expect(aclBindingProblem(acl({ operation: Op.ANY }))).toContain("operation");
    expect(aclBindingProblem(acl({ permissionType: Permission.ANY }))).toContain("permissionType");
    expect(aclBindingProblem(acl({ principal: "Group:ops" }))).toContain("principal");
    expect(aclBindingProblem(acl({ resourceName: "" }))).toContain("empty");
    expect(aclBindingProblem(acl({ resourceType: Res.CLUSTER, resourceName: "other" }))).toContain("kafka-cluster");
    expect(aclBindingProblem(acl({ resourceType: Res.CLUSTER, resourceName: "kafka-cluster", operation: Op.ALTER }))).toBeNull();
    expect(aclBindingProblem(acl({ host: "evil host" }))).toContain("host");
  });
});
