// ACLs on kgate's own topics, for the passthrough view: a passthrough client acts with kgate's
// backing principal, so it must not grant anyone access to the state topic, nor delete the ACLs
// that keep others out, nor list them. ACL resources are no annotated topic names, and a
// pattern can reach a topic without spelling it ("_kg" prefixed, a null filter), so these three
// APIs are decoded whenever they are sent (they are rare admin calls) and judged by pattern.
import type { InternalTopics } from "./internal-topics.ts";
import { ApiKey } from "../protocol/messages/api-keys.ts";
import { PatternType, ResourceType } from "../protocol/messages/constants.ts";

type Obj = Record<string, unknown>;

export const DESCRIBE_ACLS = ApiKey.DescribeAcls;
const CREATE_ACLS = ApiKey.CreateAcls;
const DELETE_ACLS = ApiKey.DeleteAcls;
export const ACL_APIS: ReadonlySet<number> = new Set([DESCRIBE_ACLS, CREATE_ACLS, DELETE_ACLS]);

const RESOURCE_ANY = ResourceType.ANY;
const RESOURCE_TOPIC = ResourceType.TOPIC;
const PATTERN_LITERAL = PatternType.LITERAL;
const PATTERN_PREFIXED = PatternType.PREFIXED;
const ACL_REFUSED_MESSAGE = "ACLs on kgate's internal topics cannot be changed through kgate";

/** Whether an ACL binding (a created or listed one) covers an internal topic by name or prefix. */
function bindingReaches(topics: InternalTopics, resourceType: number, name: string, patternType: number): boolean {
  if (resourceType !== RESOURCE_TOPIC) return false;
  if (patternType === PATTERN_PREFIXED) return topics.prefixReaches(name);
  return patternType === PATTERN_LITERAL && (name === "*" || topics.isInternalName(name));
}

/**
 * Whether a DeleteAcls filter could remove an ACL of an internal topic. Fail closed: only a
 * literal or prefixed filter with a name is judged; MATCH, ANY and null names could match too
 * much (the wildcard and prefix ACLs that cover the state topic among others).
 */
function filterReaches(topics: InternalTopics, f: Obj): boolean {
  if (f.resourceTypeFilter !== RESOURCE_ANY && f.resourceTypeFilter !== RESOURCE_TOPIC) return false;
  if (typeof f.resourceNameFilter !== "string") return true;
  if (f.patternTypeFilter !== PATTERN_LITERAL && f.patternTypeFilter !== PATTERN_PREFIXED) return true;
  return bindingReaches(topics, RESOURCE_TOPIC, f.resourceNameFilter, f.patternTypeFilter as number);
}

/**
 * Takes the creations or filters that reach internal topics out of a CreateAcls or DeleteAcls
 * request; returns their positions, for the response (whose results are positional).
 */
export function refuseAclEntries(apiKey: number, body: Obj, topics: InternalTopics): number[] {
  const prop = apiKey === CREATE_ACLS ? "creations" : "filters";
  const reaches = apiKey === CREATE_ACLS
    ? (c: Obj) => bindingReaches(topics, c.resourceType as number, c.resourceName as string, c.resourcePatternType as number)
    : (f: Obj) => filterReaches(topics, f);
  const refused: number[] = [];
  body[prop] = (body[prop] as Obj[]).filter((entry, i) => {
    if (!reaches(entry)) return true;
    refused.push(i);
    return false;
  });
  return refused;
}

/** Puts an authorization error back at each refused position of a CreateAcls/DeleteAcls response. */
export function insertAclRefusals(apiKey: number, body: Obj, positions: readonly number[], errorCode: number): void {
  const prop = apiKey === CREATE_ACLS ? "results" : "filterResults";
  const results = body[prop] as Obj[];
  for (const i of positions) {
    const entry: Obj = { errorCode, errorMessage: ACL_REFUSED_MESSAGE };
    if (apiKey === DELETE_ACLS) entry.matchingAcls = [];
    results.splice(i, 0, entry);
  }
}

/** Drops the ACL bindings of internal topics from a DescribeAcls response; returns how many. */
export function dropInternalAclResources(body: Obj, topics: InternalTopics): number {
  const resources = body.resources as Obj[];
  const kept = resources.filter((r) =>
    !bindingReaches(topics, r.resourceType as number, r.resourceName as string, r.patternType as number) || r.resourceName === "*"
  );
  body.resources = kept;
  return resources.length - kept.length;
}
