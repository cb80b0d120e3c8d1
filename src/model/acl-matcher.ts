// Kafka's ACL decision, as StandardAuthorizerData makes it, over one vcluster's bindings:
// an action (operation on a literal resource name) is allowed when an ALLOW binding matches
// and no DENY binding does (deny wins, default deny). A binding matches when its resource
// pattern covers the name (LITERAL equal, LITERAL "*", PREFIXED prefix), its principal is the
// session's or User:*, its host is "*" or the client's address, and its operation is the
// action's or ALL — where an ALLOW of READ, WRITE, DELETE or ALTER implies DESCRIBE and an
// ALLOW of ALTER_CONFIGS implies DESCRIBE_CONFIGS (a DENY implies nothing). Super users are
// decided by the caller, before any of this.
import { type AclBinding, type AclFilter, Op, Pattern, Permission, Res, WILDCARD } from "./acl-model.ts";

/** Who asks: the session's principal (`User:<name>`) and the client's IP address. */
export interface AclSubject {
  readonly principal: string;
  readonly host: string;
}

const IMPLIES_DESCRIBE: ReadonlySet<number> = new Set([Op.DESCRIBE, Op.READ, Op.WRITE, Op.DELETE, Op.ALTER]);
const IMPLIES_DESCRIBE_CONFIGS: ReadonlySet<number> = new Set([Op.DESCRIBE_CONFIGS, Op.ALTER_CONFIGS]);

function subjectMatches(acl: AclBinding, subject: AclSubject): boolean {
  return (acl.principal === subject.principal || acl.principal === "User:*") && (acl.host === WILDCARD || acl.host === subject.host);
}

function patternCovers(acl: AclBinding, name: string): boolean {
  if (acl.patternType === Pattern.LITERAL) return acl.resourceName === name || acl.resourceName === WILDCARD;
  if (acl.patternType === Pattern.PREFIXED) return name.startsWith(acl.resourceName);
  return false;
}

/** StandardAuthorizerData.findResult's operation rule. */
function operationMatches(acl: AclBinding, operation: number): boolean {
  if (acl.operation === Op.ALL) return true;
  if (acl.permissionType === Permission.ALLOW) {
    if (operation === Op.DESCRIBE) return IMPLIES_DESCRIBE.has(acl.operation);
    if (operation === Op.DESCRIBE_CONFIGS) return IMPLIES_DESCRIBE_CONFIGS.has(acl.operation);
  }
  return acl.operation === operation;
}

/** The bindings of one resource type and principal, indexed so a decision finds its matches directly. */
class PrincipalBindings {
  readonly all: AclBinding[] = [];
  /** LITERAL bindings by name ("*" among them). */
  private readonly literal = new Map<string, AclBinding[]>();
  /** PREFIXED bindings by prefix, and the lengths those prefixes have. */
  private readonly prefixed = new Map<string, AclBinding[]>();
  private prefixLengths: number[] = [];

  add(b: AclBinding): void {
    this.all.push(b);
    const map = b.patternType === Pattern.PREFIXED ? this.prefixed : b.patternType === Pattern.LITERAL ? this.literal : null;
    if (!map) return;
    const list = map.get(b.resourceName);
    if (list) list.push(b);
    else map.set(b.resourceName, [b]);
    if (map === this.prefixed && !this.prefixLengths.includes(b.resourceName.length)) {
      this.prefixLengths = [...this.prefixLengths, b.resourceName.length].sort((x, y) => x - y);
    }
  }

  /** The bindings whose pattern covers `name`: at most one map lookup per distinct prefix length. */
  *covering(name: string): Iterable<AclBinding> {
    yield* this.literal.get(name) ?? [];
    if (name !== WILDCARD) yield* this.literal.get(WILDCARD) ?? [];
    for (const n of this.prefixLengths) {
      if (n > name.length) break;
      yield* this.prefixed.get(name.slice(0, n)) ?? [];
    }
  }
}

/**
 * One vcluster's bindings (up to 1,000), grouped by resource type and principal and indexed by
 * name and prefix: a decision costs lookups in the length of the name, not a scan of the ACLs.
 */
export class AclIndex {
  private readonly byType = new Map<number, Map<string, PrincipalBindings>>();

  constructor(readonly bindings: readonly AclBinding[]) {
    for (const b of bindings) {
      let byPrincipal = this.byType.get(b.resourceType);
      if (!byPrincipal) this.byType.set(b.resourceType, byPrincipal = new Map());
      let entry = byPrincipal.get(b.principal);
      if (!entry) byPrincipal.set(b.principal, entry = new PrincipalBindings());
      entry.add(b);
    }
  }

  /** The entries of `resourceType` for the subject's principal and for User:*. */
  private entries(subject: AclSubject, resourceType: number): PrincipalBindings[] {
    const byPrincipal = this.byType.get(resourceType);
    if (!byPrincipal) return [];
    const out: PrincipalBindings[] = [];
    const own = byPrincipal.get(subject.principal);
    if (own) out.push(own);
    const everyone = subject.principal === "User:*" ? undefined : byPrincipal.get("User:*");
    if (everyone) out.push(everyone);
    return out;
  }

  /** All bindings of the type whose principal matches the subject's. */
  private *candidates(subject: AclSubject, resourceType: number): Iterable<AclBinding> {
    for (const e of this.entries(subject, resourceType)) yield* e.all;
  }

  /** Authorizer.authorize for one action on a literal resource name. */
  allows(subject: AclSubject, operation: number, resourceType: number, name: string): boolean {
    let allowed = false;
    for (const entry of this.entries(subject, resourceType)) {
      for (const acl of entry.covering(name)) {
        if (!patternCovers(acl, name) || !subjectMatches(acl, subject) || !operationMatches(acl, operation)) continue;
        if (acl.permissionType === Permission.DENY) return false;
        if (acl.permissionType === Permission.ALLOW) allowed = true;
      }
    }
    return allowed;
  }

  /**
   * Authorizer.authorizeByResourceType: whether `operation` is allowed on at least one resource
   * of the type that no DENY dominates (InitProducerId: IDEMPOTENT_WRITE is implied by WRITE on
   * any topic). No implication of operations here, as in Kafka; ALL counts.
   */
  allowsAnyOfType(subject: AclSubject, operation: number, resourceType: number): boolean {
    const denyLiteral = new Set<string>();
    const denyPrefixed = new Set<string>();
    const allowLiteral: string[] = [];
    const allowPrefixed: string[] = [];
    let wildcardAllow = false;
    for (const acl of this.candidates(subject, resourceType)) {
      if (!subjectMatches(acl, subject)) continue;
      if (acl.operation !== operation && acl.operation !== Op.ALL) continue;
      const literal = acl.patternType === Pattern.LITERAL;
      if (acl.permissionType === Permission.DENY) {
        if (literal && acl.resourceName === WILDCARD) return false;
        (literal ? denyLiteral : denyPrefixed).add(acl.resourceName);
      } else if (acl.permissionType === Permission.ALLOW) {
        if (literal && acl.resourceName === WILDCARD) wildcardAllow = true;
        else (literal ? allowLiteral : allowPrefixed).push(acl.resourceName);
      }
    }
    // A wildcard DENY anywhere has returned already; a wildcard ALLOW wins over the rest.
    if (wildcardAllow) return true;
    const dominated = (name: string) => {
      for (let i = 1; i <= name.length; i++) if (denyPrefixed.has(name.slice(0, i))) return true;
      return false;
    };
    if (allowLiteral.some((n) => !denyLiteral.has(n) && !dominated(n))) return true;
    return allowPrefixed.some((n) => !dominated(n));
  }

  /** The bindings a DescribeAcls / DeleteAcls filter matches (AclBindingFilter.matches). */
  matching(filter: AclFilter): AclBinding[] {
    return this.bindings.filter((b) => filterMatches(filter, b));
  }
}

export function filterMatches(f: AclFilter, b: AclBinding): boolean {
  // ResourcePatternFilter.matches
  if (f.resourceType !== Res.ANY && f.resourceType !== b.resourceType) return false;
  if (f.patternType !== Pattern.ANY && f.patternType !== Pattern.MATCH && f.patternType !== b.patternType) return false;
  if (f.resourceName !== null) {
    if (f.patternType === Pattern.ANY || f.patternType === b.patternType) {
      if (f.resourceName !== b.resourceName) return false;
    } else if (b.patternType === Pattern.LITERAL) {
      if (f.resourceName !== b.resourceName && b.resourceName !== WILDCARD) return false;
    } else if (b.patternType === Pattern.PREFIXED) {
      if (!f.resourceName.startsWith(b.resourceName)) return false;
    } else {
      return false;
    }
  }
  // AccessControlEntryFilter.matches
  if (f.principal !== null && f.principal !== b.principal) return false;
  if (f.host !== null && f.host !== b.host) return false;
  if (f.operation !== Op.ANY && f.operation !== b.operation) return false;
  return f.permissionType === Permission.ANY || f.permissionType === b.permissionType;
}
