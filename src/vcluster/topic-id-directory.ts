// Which backing topic a topic id stands for. Learned from every response that pairs a name with
// an id, and looked up with a Metadata request for ids kgate has not seen; shared by all
// sessions, so a tenant's ownership of an id is a question of the name's prefix.
//
// Lookups are a resource tenants share (invariant 4): concurrent misses are coalesced into
// batched Metadata requests, one batch in flight at a time; each has a timeout; ids the backing
// cluster does not know are remembered for a while (a spray of random ids costs one lookup per
// id, not one per request); the queue of ids waiting, and both maps, have fixed sizes. An id
// that cannot be resolved in time is reported unknown, which callers treat as not owned.
import type { MetadataResponse } from "../protocol/messages/metadata-response.ts";
import { ApiKey } from "../protocol/messages/api-keys.ts";
import { ZERO_UUID } from "../protocol/messages/constants.ts";
import { ErrorCode } from "../protocol/error-codes.ts";

export const ZERO_TOPIC_ID = ZERO_UUID;
const METADATA = ApiKey.Metadata;
const UNKNOWN_TOPIC_ID = ErrorCode.UNKNOWN_TOPIC_ID;

import { type MetadataLookup, withTimeout } from "../client/lookup.ts";

export interface TopicIdDirectoryOptions {
  /** A lookup not answered within this fails (its ids stay unknown, not cached). */
  lookupTimeoutMs?: number;
  /** Ids per Metadata request (a broker's cost grows faster than linearly with it). */
  maxIdsPerLookup?: number;
  /** Ids waiting for a lookup; beyond this, further ids are reported unknown at once. */
  maxQueuedIds?: number;
  /** The same, per requester (a tenant): one tenant's spray cannot fill the queue for all. */
  maxQueuedIdsPerRequester?: number;
  /** Learned id → name entries; the oldest learned is forgotten first. */
  maxKnownIds?: number;
  /**
   * Ids the backing cluster said it does not know, and for how long that answer stands: not
   * long, as a broker may not know yet of a topic just created elsewhere in the cluster.
   */
  maxUnknownIds?: number;
  unknownTtlMs?: number;
  clock?: () => number;
  /** One line per failed lookup. */
  log?: (message: string) => void;
}

export const TOPIC_ID_DIRECTORY_DEFAULTS = {
  lookupTimeoutMs: 5_000,
  maxIdsPerLookup: 250,
  maxQueuedIds: 10_000,
  maxQueuedIdsPerRequester: 2_500,
  maxKnownIds: 100_000,
  maxUnknownIds: 100_000,
  unknownTtlMs: 10_000,
} as const;

/** Counters for /metrics and tests. */
export interface TopicIdLookupStats {
  /** Metadata requests sent, and the ids they carried. */
  lookups: number;
  idsLookedUp: number;
  /** Lookups that failed or timed out. */
  failures: number;
  /** Ids reported unknown without a lookup because the queue was full. */
  shed: number;
}

type Resolution = string | undefined;

interface Waiting {
  promise: Promise<Resolution>;
  resolve(name: Resolution): void;
  requester: string;
}

export class TopicIdDirectory {
  private readonly names = new Map<string, string>();
  /** id → when the backing cluster's "unknown" answer expires. */
  private readonly unknown = new Map<string, number>();
  /** Ids queued or in a lookup, each with the promise its callers share. */
  private readonly waiting = new Map<string, Waiting>();
  private readonly queue: string[] = [];
  /** Ids each requester has waiting. */
  private readonly queuedBy = new Map<string, number>();
  private inFlight = false;
  private readonly o: Required<Omit<TopicIdDirectoryOptions, "log">>;
  private readonly log: (message: string) => void;
  readonly stats: TopicIdLookupStats = { lookups: 0, idsLookedUp: 0, failures: 0, shed: 0 };

  constructor(private readonly lookup: MetadataLookup, options: TopicIdDirectoryOptions = {}) {
    const { log, ...rest } = options;
    this.o = { ...TOPIC_ID_DIRECTORY_DEFAULTS, clock: () => Date.now(), ...rest };
    this.log = log ?? (() => {});
  }

  get knownCount(): number {
    return this.names.size;
  }
  get unknownCount(): number {
    return this.unknown.size;
  }
  get queuedCount(): number {
    return this.waiting.size;
  }

  learn(topicId: string, backingName: string): void {
    if (topicId === ZERO_TOPIC_ID || !backingName) return;
    this.names.delete(topicId); // re-inserted as the newest
    this.names.set(topicId, backingName);
    this.unknown.delete(topicId);
    if (this.names.size > this.o.maxKnownIds) this.names.delete(this.names.keys().next().value!);
  }

  forget(topicId: string): void {
    this.names.delete(topicId);
  }

  known(topicId: string): string | undefined {
    return this.names.get(topicId);
  }

  /**
   * Backing names for `ids`, asking the cluster about unknown ones; unknown stays undefined.
   * `requester` (a tenant) is who waits, for the per-requester share of the queue.
   */
  async resolve(ids: Iterable<string>, requester = ""): Promise<Map<string, string | undefined>> {
    const out = new Map<string, string | undefined>();
    const pending: Array<[string, Promise<Resolution>]> = [];
    const now = this.o.clock();
    for (const id of ids) {
      if (id === ZERO_TOPIC_ID || out.has(id)) continue;
      const n = this.names.get(id);
      out.set(id, n);
      if (n !== undefined || this.knownUnknown(id, now)) continue;
      const p = this.enqueue(id, requester);
      if (p) pending.push([id, p]);
    }
    if (pending.length > 0) {
      this.pump();
      for (const [id, p] of pending) out.set(id, await p);
    }
    return out;
  }

  private knownUnknown(id: string, now: number): boolean {
    const until = this.unknown.get(id);
    if (until === undefined) return false;
    if (until > now) return true;
    this.unknown.delete(id);
    return false;
  }

  /** The promise for `id`'s lookup (shared with concurrent callers), or null if shed. */
  private enqueue(id: string, requester: string): Promise<Resolution> | null {
    const existing = this.waiting.get(id);
    if (existing) return existing.promise;
    const mine = this.queuedBy.get(requester) ?? 0;
    if (this.waiting.size >= this.o.maxQueuedIds || mine >= this.o.maxQueuedIdsPerRequester) {
      this.stats.shed++;
      return null;
    }
    let resolve!: (name: Resolution) => void;
    const promise = new Promise<Resolution>((r) => (resolve = r));
    this.waiting.set(id, { promise, resolve, requester });
    this.queuedBy.set(requester, mine + 1);
    this.queue.push(id);
    return promise;
  }

  /** Sends queued ids in batches, one lookup at a time, until the queue is empty. */
  private pump(): void {
    if (this.inFlight || this.queue.length === 0) return;
    this.inFlight = true;
    const batch = this.queue.splice(0, this.o.maxIdsPerLookup);
    void this.lookupBatch(batch).finally(() => {
      this.inFlight = false;
      this.pump();
    });
  }

  private async lookupBatch(batch: string[]): Promise<void> {
    this.stats.lookups++;
    this.stats.idsLookedUp += batch.length;
    const found = new Map<string, string>();
    let settle = batch;
    try {
      const res = (await withTimeout(
        this.lookup(METADATA, 12, {
          topics: batch.map((topicId) => ({ topicId, name: null })),
          allowAutoTopicCreation: false,
          includeClusterAuthorizedOperations: false,
          includeTopicAuthorizedOperations: false,
        }),
        this.o.lookupTimeoutMs,
      )) as MetadataResponse;
      const expires = this.o.clock() + this.o.unknownTtlMs;
      for (const t of res.topics) {
        if (t.errorCode === 0 && t.name) {
          this.learn(t.topicId, t.name);
          found.set(t.topicId, t.name);
        } else if (t.errorCode === UNKNOWN_TOPIC_ID) {
          this.rememberUnknown(t.topicId, expires);
        }
      }
    } catch (e) {
      // Failed or timed out: the ids stay unresolved (not cached), and are treated as not owned.
      // So are the ids queued behind them: the next batch would most likely wait as long, and
      // each request must get its answer within about one timeout, not one per batch ahead.
      this.stats.failures++;
      this.log(`topic-id lookup of ${batch.length} ids failed: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
      settle = batch.concat(this.queue.splice(0));
    }
    for (const id of settle) {
      const w = this.waiting.get(id);
      if (!w) continue;
      this.waiting.delete(id);
      const left = (this.queuedBy.get(w.requester) ?? 1) - 1;
      if (left > 0) this.queuedBy.set(w.requester, left);
      else this.queuedBy.delete(w.requester);
      w.resolve(found.get(id) ?? this.names.get(id));
    }
  }

  private rememberUnknown(id: string, expires: number): void {
    if (this.names.has(id)) return;
    this.unknown.delete(id);
    this.unknown.set(id, expires);
    if (this.unknown.size > this.o.maxUnknownIds) this.unknown.delete(this.unknown.keys().next().value!);
  }
}
