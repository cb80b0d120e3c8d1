// A virtual cluster as the data plane sees it: a name and the prefix its resources carry on
// the backing cluster.
import { INTERNAL_TOPIC_PREFIX } from "../gateway/internal-topics.ts";

export const MAX_TOPIC_NAME_LENGTH = 249;

export class Tenant {
  /**
   * `otherPrefixes` lists the other vclusters' prefixes (read when needed, so it follows the
   * store): a broker message naming one of them must not reach this tenant.
   */
  constructor(readonly name: string, readonly prefix: string, readonly otherPrefixes: () => readonly string[] = () => []) {}

  add(name: string): string {
    return this.prefix + name;
  }

  /** The tenant's own name for a backing name, or null when the backing name is not its. */
  strip(backingName: string): string | null {
    return backingName.startsWith(this.prefix) ? backingName.slice(this.prefix.length) : null;
  }

  owns(backingName: string): boolean {
    // Defence in depth: whatever the store lets a prefix be, no tenant owns kgate's own topics.
    return backingName.startsWith(this.prefix) && !backingName.startsWith(INTERNAL_TOPIC_PREFIX);
  }
}
