// Pure rules for vcluster names and the prefixes that map their resources onto the backing
// cluster. Shared by the store (to refuse conflicting vclusters) and the data plane.

/** RFC 1123 DNS label: a vcluster name also appears in hostnames, metrics and file names. */
export const VCLUSTER_NAME_PATTERN = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** The built-in transparent view of the backing cluster; it has no prefix and no record. */
export const PASSTHROUGH = "passthrough";
const RESERVED_VCLUSTER_NAMES: readonly string[] = [PASSTHROUGH];

// Kafka's legal topic characters. A prefix must start with a letter or digit so it can never
// reach internal names such as `__consumer_offsets` or `_kgate_state` (a leading '.' would,
// since '.' and '_' collide).
const PREFIX_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9._-]*$/;
// Kafka topic names are at most 249 characters; leave room for the tenant's own name.
const MAX_PREFIX_LENGTH = 200;

export function isValidVclusterName(name: string): boolean {
  return VCLUSTER_NAME_PATTERN.test(name);
}

export function isReservedVclusterName(name: string): boolean {
  return RESERVED_VCLUSTER_NAMES.includes(name);
}

export function defaultPrefix(name: string): string {
  return `${name}.`;
}

/**
 * The SCRAM user of a vcluster with backing ACLs on the backing cluster. Derived from the name,
 * never chosen: a record (say, one written into the state topic) naming another vcluster's user
 * would otherwise let its clients take over that vcluster's backing principal.
 */
export function backingUsername(vcluster: string): string {
  return `kgate-vc-${vcluster}`;
}

/** Every topic whose name starts with this is kgate's own (state, audit, ...). */
const INTERNAL_TOPIC_PREFIX = "_kgate";

/** Why `prefix` is unusable on its own, or undefined when it is fine. */
export function prefixSyntaxProblem(prefix: string): string | undefined {
  if (prefix.length === 0) return "prefix must not be empty";
  if (prefix.length > MAX_PREFIX_LENGTH) return `prefix must be at most ${MAX_PREFIX_LENGTH} characters`;
  if (!PREFIX_PATTERN.test(prefix)) {
    return "prefix must start with a letter or digit and contain only letters, digits, '.', '_' and '-'";
  }
  return internalTopicProblem(prefix);
}

/**
 * Why `prefix` would let a tenant name (or block, by a '.'/'_' collision) one of kgate's internal
 * topics: anything starting `_kgate`, plus `internalTopics` such as a configured `store.topic`
 * that does not follow that convention. The state topic must never be reachable as a tenant topic.
 */
export function internalTopicProblem(prefix: string, internalTopics: readonly string[] = []): string | undefined {
  const folded = foldTopicCollisions(prefix);
  if (folded.startsWith(foldTopicCollisions(INTERNAL_TOPIC_PREFIX)) || foldTopicCollisions(INTERNAL_TOPIC_PREFIX).startsWith(folded)) {
    return `prefix "${prefix}" would reach kgate's internal topics (names starting ${INTERNAL_TOPIC_PREFIX})`;
  }
  for (const topic of internalTopics) {
    if (foldTopicCollisions(topic).startsWith(folded)) return `prefix "${prefix}" would reach kgate's internal topic "${topic}"`;
  }
  return undefined;
}

/**
 * Kafka refuses a topic whose name differs from an existing one only by '.' versus '_'
 * (both map to '_' in metric names). Comparing prefixes in that folded form catches tenants
 * who could create each other's topic names, or block each other from creating them.
 */
function foldTopicCollisions(name: string): string {
  return name.replaceAll(".", "_");
}

export interface PrefixOwner {
  readonly name: string;
  readonly prefix: string;
}

export interface PrefixConflict {
  readonly with: PrefixOwner;
  readonly reason: string;
}

/**
 * The first vcluster in `others` whose prefix overlaps `prefix`: one is a prefix of the other,
 * directly or after folding '.' and '_'. Overlap in either direction would let one tenant's
 * topics fall inside the other's namespace. Entries named `self` are skipped (re-PUT).
 */
export function findPrefixConflict(
  self: string,
  prefix: string,
  others: Iterable<PrefixOwner>,
): PrefixConflict | undefined {
  const folded = foldTopicCollisions(prefix);
  for (const other of others) {
    if (other.name === self) continue;
    if (prefix.startsWith(other.prefix) || other.prefix.startsWith(prefix)) {
      return {
        with: other,
        reason: `prefix "${prefix}" overlaps prefix "${other.prefix}" of vcluster "${other.name}"`,
      };
    }
    const otherFolded = foldTopicCollisions(other.prefix);
    if (folded.startsWith(otherFolded) || otherFolded.startsWith(folded)) {
      return {
        with: other,
        reason: `prefix "${prefix}" collides with prefix "${other.prefix}" of vcluster "${other.name}": ` +
          `Kafka treats '.' and '_' in topic names as the same`,
      };
    }
  }
  return undefined;
}
