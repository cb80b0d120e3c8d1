// kgate's own topics on the backing cluster (the state topic, and anything named `_kgate*`):
// which names and topic ids they have, and a cheap test whether a frame could mention one.
//
// Exact and cheap at once for names: a name is a contiguous run of UTF-8 bytes in a frame, so a
// frame that does not contain the bytes of "_kgate" (or of a custom state topic name) cannot
// name an internal topic, whatever its structure. For topic ids the same byte search is exact
// for every id kgate knows; ids are learnt from a Metadata lookup at start and on every refresh,
// and from every response kgate decodes because it mentions an internal name. An internal topic
// created behind kgate's back is therefore reachable by its id only by a client that learnt the
// id elsewhere, and only until the next refresh.
import type { MetadataResponse } from "../protocol/messages/metadata-response.ts";
import { ApiKey } from "../protocol/messages/api-keys.ts";
import { ZERO_UUID } from "../protocol/messages/constants.ts";

export const INTERNAL_TOPIC_PREFIX = "_kgate";
const METADATA = ApiKey.Metadata;
const ZERO_TOPIC_ID = ZERO_UUID;
const utf8 = new TextEncoder();

export type BackingRequest = (apiKey: number, version: number, body: unknown) => Promise<unknown>;

export class InternalTopics {
  private readonly extraNames: readonly string[];
  private readonly nameNeedles: readonly Uint8Array[];
  private readonly ids = new Map<string, Uint8Array>();

  /** `extraNames`: internal topics whose names do not start with `_kgate` (a custom `store.topic`). */
  constructor(extraNames: readonly string[] = []) {
    this.extraNames = extraNames.filter((n) => !n.startsWith(INTERNAL_TOPIC_PREFIX));
    this.nameNeedles = [INTERNAL_TOPIC_PREFIX, ...this.extraNames].map((n) => utf8.encode(n));
  }

  isInternalName(name: string): boolean {
    return name.startsWith(INTERNAL_TOPIC_PREFIX) || this.extraNames.includes(name);
  }

  isInternalId(topicId: string): boolean {
    return this.ids.has(topicId);
  }

  learnId(topicId: string): void {
    if (topicId === ZERO_TOPIC_ID || this.ids.has(topicId)) return;
    this.ids.set(topicId, hexBytes(topicId));
  }

  /**
   * Whether a tenant with this prefix could name an internal topic: `prefix + x` starts with
   * `_kgate` or equals a custom state topic name for some x. Such a vcluster is not served.
   */
  prefixReaches(prefix: string): boolean {
    if (INTERNAL_TOPIC_PREFIX.startsWith(prefix) || prefix.startsWith(INTERNAL_TOPIC_PREFIX)) return true;
    return this.extraNames.some((n) => n.startsWith(prefix));
  }

  /** False means the frame certainly names no internal topic (by name, or by a known id). */
  mayMention(frame: Uint8Array): boolean {
    for (const needle of this.nameNeedles) if (containsBytes(frame, needle)) return true;
    for (const id of this.ids.values()) if (containsBytes(frame, id)) return true;
    return false;
  }

  /** Learns the ids of internal topics from the backing cluster (a Metadata of all topics). */
  async refresh(request: BackingRequest): Promise<void> {
    const res = (await request(METADATA, 12, {
      topics: null,
      allowAutoTopicCreation: false,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    })) as MetadataResponse;
    for (const t of res.topics) if (t.name && this.isInternalName(t.name)) this.learnId(t.topicId);
  }
}

function hexBytes(hex: string): Uint8Array {
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/**
 * Substring search: the native `indexOf` finds each candidate first byte, then the rest is
 * compared; at most needle-length work per candidate, so linear in the frame. Fast on small
 * frames; on large record payloads the per-candidate calls add up (about 5 ms per MiB of text
 * on Bun, 17 ms on Deno), which is why large Produce frames are decoded instead.
 */
export function containsBytes(haystack: Uint8Array, needle: Uint8Array): boolean {
  const n = needle.length;
  if (n === 0) return true;
  const first = needle[0]!;
  const last = haystack.length - n;
  for (let i = haystack.indexOf(first); i !== -1 && i <= last; i = haystack.indexOf(first, i + 1)) {
    let j = 1;
    while (j < n && haystack[i + j] === needle[j]) j++;
    if (j === n) return true;
  }
  return false;
}
