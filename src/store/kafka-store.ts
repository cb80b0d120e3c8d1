// `store.type: kafka`: the store's records in a compacted topic of the backing cluster, so that
// several kgate nodes share one state. Each node replays the topic at start and then follows it.
//
// The log is the only source of truth, and the follower is the only writer of `state`: a local
// mutation is checked by the same pure rules as the file store, written (acks=-1: durable once
// the Produce succeeds), and resolves after the follower has applied it back. So every node
// applies every change in log order through one path, local and remote changes emit the same
// events, and a node never re-applies or re-emits its own write out of order.
//
// Two nodes may each check a change against a state that lacks the other's (say, two vclusters
// with overlapping prefixes created at the same moment). The follower re-checks every record
// against the state built from the log so far, so the first one in the log wins on every node;
// the writer of the later one sees its record refused when reading it back and reports a
// conflict. It then writes the key's accepted value again, because compaction keeps only the
// last record of a key and would otherwise let the refused one win for a node replaying later.
// (Left open: a third write to the same key in the moment between the refusal and that repair
// is undone by it. A single writer, fenced by a Kafka transactional id, would close that gap.)
import { describeTopicConfigs, ensureTopic } from "../client/admin-ops.ts";
import type { KafkaConnection } from "../client/kafka-connection.ts";
import { KafkaError, OFFSET_OUT_OF_RANGE } from "../client/kafka-errors.ts";
import { PartitionLog } from "../client/partition-log.ts";
import { type BatchRecord, type DecodedBatch, RecordBatchError } from "../client/record-batch.ts";
import type { Config } from "../config/schema.ts";
import { parseHostPort } from "../client/upstream.ts";
import { getLogger } from "../base/log.ts";
import { ProtocolError } from "../protocol/wire.ts";
import type { Runtime, TlsClientOptions } from "../runtime/types.ts";
import { StoreError } from "./errors.ts";
import { defaultPrefix } from "../model/prefix-rules.ts";
import type { StoreEvent, StoreListener } from "./events.ts";
import * as mutations from "./mutations.ts";
import type { Change, PutVclusterInput, PutVclusterResult, StoreRules } from "./mutations.ts";
import type { IssuedTokenRecord, LegacySecrets, RevokedTokenRecord, ServiceAccountRecord, StoreState, VclusterRecord } from "./records.ts";
import { StateReader } from "./state-reads.ts";
import type { AclRecord } from "./records.ts";
import type { AclBinding, AclFilter } from "../model/acl-model.ts";
import type { StateStore } from "./state-store.ts";
import { acceptedRecord, applyStateRecord, stateChangeRecords, type StateRecord } from "./state-topic-records.ts";

const log = getLogger("store.kafka");
const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder();

export interface KafkaStoreOptions {
  readonly runtime: Runtime;
  readonly backing: Pick<Config["backing"], "bootstrapServers" | "sasl">;
  /** TLS to the backing cluster, as loaded from `backing.tls`. */
  readonly backingTls?: TlsClientOptions;
  /** `store.topic`. */
  readonly topic: string;
  readonly clock?: () => number;
  /** How long one fetch waits for new records; a remote change shows up at most this late. */
  readonly pollWaitMs?: number;
  /** Bounds `load()`: replaying the topic must finish within this. */
  readonly loadTimeoutMs?: number;
}

/** One partition keeps one total order of changes; compaction keeps it small. */
const STATE_TOPIC_CONFIGS = {
  "cleanup.policy": "compact",
  // Readers here decode uncompressed batches only; this stops a broker-wide compression
  // default from recompressing what kgate writes.
  "compression.type": "uncompressed",
};
const READ_BACK_TIMEOUT_MS = 30_000;

interface Waiter {
  readonly offset: bigint;
  resolve(): void;
  reject(error: Error): void;
}

export class KafkaStore extends StateReader implements StateStore {
  /** Every record before this offset is in `state`. */
  private nextOffset = 0n;
  private readonly waiters = new Set<Waiter>();
  private queue: Promise<unknown> = Promise.resolve();
  private readonly listeners = new Set<StoreListener>();
  private readonly log: PartitionLog;
  private following: Promise<void> | undefined;
  private stopped = false;
  /** Why the store stopped for good: the log holds something it must not skip. */
  private fatal: Error | undefined;
  /** The partition's high watermark at the last fetch: where `nextOffset` should get to. */
  private logEnd = 0n;
  /** Last fetch failure, for messages about a follower that makes no progress. */
  private lastFetchError: Error | undefined;
  private wakeFollower: () => void = () => {};
  private readonly rules: StoreRules;
  /** While this node has a write in flight, the follower notes each record it refuses here, by offset. */
  private refusals: Map<bigint, { key: string; problem: string }> | undefined;
  /** Keys of records in which an older kgate kept secrets; `dropLegacySecrets` tombstones them. */
  private readonly legacySecretKeys = new Set<string>();

  constructor(private readonly options: KafkaStoreOptions) {
    super(options.clock ?? Date.now);
    // The state topic itself must never become a tenant's topic, whatever it is called.
    this.rules = { internalTopics: [options.topic] };
    this.log = new PartitionLog({
      runtime: options.runtime,
      bootstrap: options.backing.bootstrapServers.map(parseHostPort),
      sasl: options.backing.sasl,
      tls: options.backingTls,
      clientId: "kgate-store",
      topic: options.topic,
    });
  }

  /** Records in the state topic this node has not applied yet, as of the last fetch (for /metrics). */
  recordsBehind(): number {
    const behind = this.logEnd - this.nextOffset;
    return behind > 0n ? Number(behind) : 0;
  }

  async load(): Promise<void> {
    const topic = this.options.topic;
    let end: bigint;
    try {
      await this.log.withAnyBroker((conn) => this.prepareTopic(conn));
      end = await this.log.latestOffset();
      this.nextOffset = await this.log.earliestOffset();
      this.following = this.follow();
      await this.appliedUpTo(end, this.options.loadTimeoutMs ?? 60_000, `replaying state topic ${topic}`);
    } catch (error) {
      this.stopped = true;
      this.log.close();
      throw error;
    }
    log.info("replayed state topic {topic} up to offset {offset}: {vclusters} vclusters", {
      topic,
      offset: String(end),
      vclusters: Object.keys(this.state.vclusters).length,
    });
  }

  private async prepareTopic(conn: KafkaConnection): Promise<void> {
    const topic = this.options.topic;
    const outcome = await ensureTopic(conn, { name: topic, partitions: 1, replicationFactor: -1, configs: STATE_TOPIC_CONFIGS });
    if (outcome === "created") {
      log.info("created state topic {topic}", { topic });
      return;
    }
    // A topic made by hand may delete old records instead of compacting them, and with them
    // vclusters nobody changed for a while. Say so; changing it is the operator's call.
    const configs = await describeTopicConfigs(conn, topic, ["cleanup.policy"]);
    if (!configs["cleanup.policy"]?.split(",").includes("compact")) {
      log.warning("state topic {topic} has cleanup.policy={policy}, not compact: records may be deleted, losing state", {
        topic,
        policy: configs["cleanup.policy"] ?? "unknown",
      });
    }
  }

  async close(): Promise<void> {
    await this.queue.catch(() => {});
    this.stopped = true;
    this.log.close(); // ends the fetch in flight
    this.wakeFollower();
    await this.following;
    this.rejectWaiters(new Error("store closed"));
  }

  async putVcluster(input: PutVclusterInput): Promise<PutVclusterResult> {
    try {
      return await this.mutate((s, now) => mutations.putVcluster(s, input, now, this.rules));
    } catch (error) {
      // Another node created the same vcluster a moment earlier: the PUT asked for what now
      // exists, so it succeeds as "already there", as it would have a moment later.
      const existing = this.getVcluster(input.name);
      const asked = input.prefix ?? defaultPrefix(input.name);
      const sameLabels = input.labels === undefined || JSON.stringify(input.labels) === JSON.stringify(existing?.labels ?? {});
      if (error instanceof StoreError && error.code === "conflict" && existing?.prefix === asked && sameLabels) {
        return { vcluster: existing, created: false };
      }
      throw error;
    }
  }

  deleteVcluster(name: string): Promise<VclusterRecord> {
    return this.mutate((s, now) => mutations.deleteVcluster(s, name, now));
  }

  recordIssuedToken(token: IssuedTokenRecord): Promise<void> {
    return this.mutate((s, now) => mutations.recordIssuedToken(s, token, now));
  }

  revokeToken(vcluster: string, jti: string): Promise<RevokedTokenRecord> {
    return this.mutate((s) => mutations.revokeToken(s, vcluster, jti));
  }

  putScramAccount(input: mutations.PutScramAccountInput): Promise<ServiceAccountRecord> {
    return this.mutate((s, now) => mutations.putScramAccount(s, input, now));
  }

  deleteServiceAccount(vcluster: string, username: string): Promise<ServiceAccountRecord> {
    return this.mutate((s) => mutations.deleteServiceAccount(s, vcluster, username));
  }

  createAcls(vcluster: string, bindings: readonly AclBinding[]): Promise<mutations.AclCreation[]> {
    return this.mutate((s) => mutations.createAcls(s, vcluster, bindings));
  }

  deleteAcls(vcluster: string, filters: readonly AclFilter[]): Promise<AclRecord[][]> {
    return this.mutate((s) => mutations.deleteAcls(s, vcluster, filters));
  }

  /** Always empty: what an older kgate wrote to the topic, every Kafka client could read. */
  legacySecrets(): LegacySecrets {
    return {};
  }

  /** Tombstones the secret records an older kgate wrote, so compaction removes them from the topic. */
  dropLegacySecrets(): Promise<string[]> {
    return this.enqueue(async () => {
      if (this.fatal) throw this.fatal;
      const keys = [...this.legacySecretKeys];
      if (keys.length === 0) return [];
      const first = await this.log.produce(keys.map((key) => toBatchRecord({ key, value: null })));
      await this.appliedUpTo(first + BigInt(keys.length), READ_BACK_TIMEOUT_MS, "reading back secret tombstones");
      for (const key of keys) this.legacySecretKeys.delete(key);
      return [...new Set(keys.map((k) => k.split("/")[1] ?? k))];
    });
  }

  subscribe(listener: StoreListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** One mutation at a time on this node; across nodes, the log orders them. */
  private mutate<T>(apply: (state: StoreState, now: number) => Change<T>): Promise<T> {
    return this.enqueue(async (): Promise<T> => {
      if (this.fatal) throw this.fatal;
      if (this.stopped) throw new Error("store closed");
      // Check the rules against everything any node has written so far, not only what this
      // node has seen: that leaves only a small window for two nodes to race.
      await this.appliedUpTo(await this.log.latestOffset(), READ_BACK_TIMEOUT_MS, "catching up before a change");
      const base = this.state;
      const now = this.clock();
      const change = apply(base, now);
      const next = mutations.pruneExpired(change.state, now);
      const records = stateChangeRecords(base, next);
      if (records.length > 0) {
        const refused = await this.write(records);
        if (refused.length > 0) {
          await this.repair(refused.map((r) => r.key));
          throw new StoreError("conflict", `another kgate node changed the store first: ${refused[0]!.problem}`);
        }
      }
      return change.result;
    });
  }

  /**
   * Appends `records` and waits until the follower has applied them; returns those it refused.
   * Durable once the produce returns. A retried produce may append the batch twice, which is
   * harmless: applying a record again changes nothing.
   */
  private async write(records: readonly StateRecord[]): Promise<{ key: string; problem: string }[]> {
    // Set before producing: the follower may fetch the batch before the produce response arrives.
    const refusals = new Map<bigint, { key: string; problem: string }>();
    this.refusals = refusals;
    try {
      const first = await this.log.produce(records.map(toBatchRecord));
      const end = first + BigInt(records.length);
      await this.appliedUpTo(end, READ_BACK_TIMEOUT_MS, "reading back a change");
      return [...refusals].filter(([offset]) => offset >= first && offset < end).map(([, r]) => r);
    } finally {
      this.refusals = undefined;
    }
  }

  /** Writes the accepted value of each refused key again, so compaction cannot resurrect the refused one. */
  private async repair(keys: readonly string[]): Promise<void> {
    const records = [...new Set(keys)].map((key) => acceptedRecord(this.state, key));
    try {
      const first = await this.log.produce(records.map(toBatchRecord));
      await this.appliedUpTo(first + BigInt(records.length), READ_BACK_TIMEOUT_MS, "reading back a repair");
    } catch (error) {
      log.warning("repairing refused state records {keys} failed: {error}", { keys: keys.join(", "), error: String(error) });
    }
  }

  private enqueue<T>(run: () => Promise<T>): Promise<T> {
    const result = this.queue.then(run);
    this.queue = result.catch(() => {});
    return result;
  }

  private async follow(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      try {
        const fetched = await this.log.fetch(this.nextOffset, this.options.pollWaitMs ?? 300);
        if (failures > 0) log.info("following state topic {topic} again", { topic: this.options.topic });
        failures = 0;
        this.lastFetchError = undefined;
        for (const batch of fetched.batches) this.applyBatch(batch);
        this.logEnd = fetched.highWatermark;
      } catch (error) {
        if (this.stopped) return;
        const e = error instanceof Error ? error : new Error(String(error));
        if (isPermanent(e)) {
          this.stop(e);
          return;
        }
        this.lastFetchError = e;
        failures++;
        // The first failure and then every 20th: an unreachable broker should not flood the log.
        if (failures % 20 === 1) {
          log.warning("reading state topic {topic} failed ({failures}x), retrying: {error}", {
            topic: this.options.topic,
            failures,
            error: e.message,
          });
        }
        await this.pause(Math.min(100 * 2 ** failures, 5000));
      }
    }
  }

  /** A backoff that `close()` cuts short. */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wakeFollower = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  /** A batch's changes become visible together, like the one local mutation that wrote them. */
  private applyBatch(batch: DecodedBatch): void {
    if (batch.lastOffset < this.nextOffset) return; // a fetch starts with the batch holding its offset
    let state = this.state;
    const events: StoreEvent[] = [];
    for (const record of batch.records) {
      if (record.offset < this.nextOffset) continue;
      if (record.key === null) {
        log.warning("state record at offset {offset} has no key; skipped", { offset: String(record.offset) });
        continue;
      }
      const stateRecord: StateRecord = {
        key: utf8Decoder.decode(record.key),
        value: record.value === null ? null : utf8Decoder.decode(record.value),
      };
      const applied = applyStateRecord(state, stateRecord, { ...this.rules, now: this.clock() });
      if (!applied.ok) {
        log.warning("{problem} at offset {offset}; skipped", { problem: applied.problem, offset: String(record.offset) });
        this.refusals?.set(record.offset, { key: stateRecord.key, problem: applied.problem });
        continue;
      }
      if (applied.legacySecret) {
        if (this.legacySecretKeys.size === 0) {
          log.warning("state topic {topic} holds secrets written by an older kgate; they are not used (any Kafka client could read them) and will be removed", {
            topic: this.options.topic,
          });
        }
        this.legacySecretKeys.add(stateRecord.key);
      } else if (stateRecord.key.startsWith("secret/")) {
        this.legacySecretKeys.delete(stateRecord.key);
      }
      state = applied.state;
      events.push(...applied.events);
    }
    this.state = state;
    this.nextOffset = batch.lastOffset + 1n;
    for (const event of events) this.emit(event);
    for (const w of this.waiters) {
      if (this.nextOffset >= w.offset) {
        this.waiters.delete(w);
        w.resolve();
      }
    }
  }

  /** Resolves once every record before `offset` is applied. */
  private appliedUpTo(offset: bigint, timeoutMs: number, what: string): Promise<void> {
    if (this.fatal) return Promise.reject(this.fatal);
    if (this.nextOffset >= offset) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        const cause = this.lastFetchError ? `: ${this.lastFetchError.message}` : "";
        reject(new Error(`${what}: offset ${offset} not reached within ${timeoutMs} ms (at ${this.nextOffset})${cause}`));
      }, timeoutMs);
      const waiter: Waiter = {
        offset,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      this.waiters.add(waiter);
    });
  }

  /** Stops following for good; reads keep the last state, changes are refused. */
  private stop(error: Error): void {
    this.fatal = new Error(`state topic ${this.options.topic} cannot be followed: ${error.message}`);
    this.log.close();
    log.error("{error}; the store keeps its last state and refuses changes until kgate restarts", {
      error: this.fatal.message,
    });
    this.rejectWaiters(this.fatal);
  }

  private rejectWaiters(error: Error): void {
    for (const w of this.waiters) w.reject(error);
    this.waiters.clear();
  }

  private emit(event: StoreEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        // A broken subscriber must not stop the follower or undo a change that is durable.
        log.error("store listener failed on {type}: {error}", { type: event.type, error });
      }
    }
  }
}

/**
 * Failures that waiting does not fix: records this kgate cannot decode (skipping them would
 * silently lose state), or a log that no longer holds the offsets already applied (truncated,
 * or deleted and re-created underneath), whose state must be replayed from the start.
 */
function isPermanent(error: Error): boolean {
  if (error instanceof RecordBatchError || error instanceof ProtocolError) return true;
  return error instanceof KafkaError && error.code === OFFSET_OUT_OF_RANGE;
}

function toBatchRecord(record: StateRecord): BatchRecord {
  return { key: utf8.encode(record.key), value: record.value === null ? null : utf8.encode(record.value) };
}
