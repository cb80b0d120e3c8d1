// One partition of one topic as a log kgate appends to and reads from, with its own client:
// the Kafka-backed store's view of its state topic. Requests go to the partition leader; a
// leader change or a dropped connection means looking the leader up again. Long-poll fetches
// use a connection of their own, because a broker answers one connection's requests in order
// and a produce must not wait behind a fetch that is waiting for data.
import type { BackingAddress } from "./backing-address.ts";
import { ApiKey } from "../protocol/messages/api-keys.ts";
import type { Runtime, TlsClientOptions } from "../runtime/types.ts";
import { findPartitionLeader } from "./admin-ops.ts";
import { KafkaConnection } from "./kafka-connection.ts";
import { KafkaError } from "./kafka-errors.ts";
import { type BatchRecord, type DecodedBatch, decodeRecordBatches, encodeRecordBatch } from "./record-batch.ts";
import type { SaslCredentials } from "./sasl-login.ts";
import { ZERO_UUID } from "../protocol/messages/constants.ts";

// Name-based versions (Fetch v13+ and Produce v13 address topics by id), accepted by every
// Kafka from 3.0 to 4.x.
const PRODUCE = { key: ApiKey.Produce, version: 9 } as const;
const FETCH = { key: ApiKey.Fetch, version: 12 } as const;
const LIST_OFFSETS = { key: ApiKey.ListOffsets, version: 7 } as const;
const NO_TOPIC_ID = ZERO_UUID;
// ListOffsets' special timestamps.
const LATEST_TIMESTAMP = -1n;
const EARLIEST_TIMESTAMP = -2n;

export interface PartitionLogOptions {
  readonly runtime: Runtime;
  readonly bootstrap: readonly BackingAddress[];
  readonly sasl?: SaslCredentials;
  readonly tls?: TlsClientOptions;
  readonly clientId?: string;
  readonly topic: string;
  readonly partition?: number;
}

export interface FetchedRecords {
  readonly batches: readonly DecodedBatch[];
  readonly highWatermark: bigint;
  readonly logStartOffset: bigint;
}

interface LeaderConnections {
  readonly requests: KafkaConnection;
  readonly fetches: KafkaConnection;
}

type Use = keyof LeaderConnections;

export class PartitionLog {
  readonly topic: string;
  readonly partition: number;
  private leader: Promise<LeaderConnections> | undefined;
  private closed = false;

  constructor(private readonly options: PartitionLogOptions) {
    this.topic = options.topic;
    this.partition = options.partition ?? 0;
  }

  /** Runs `use` on a fresh connection to any broker (topic administration), then closes it. */
  async withAnyBroker<T>(use: (conn: KafkaConnection) => Promise<T>): Promise<T> {
    const conn = await this.open(this.options.bootstrap);
    try {
      return await use(conn);
    } finally {
      conn.close();
    }
  }

  /**
   * Appends `records` as one batch (all or nothing) once every in-sync replica has it
   * (acks=-1); returns the offset of the first. Retried on leader changes: without idempotence a
   * retry can append the batch twice, so callers must write records that may repeat.
   */
  produce(records: readonly BatchRecord[], timeoutMs = 30_000): Promise<bigint> {
    const batch = encodeRecordBatch(records);
    return this.withLeader("requests", 5, async (conn) => {
      const res = await conn.request(PRODUCE.key, PRODUCE.version, {
        transactionalId: null,
        acks: -1,
        timeoutMs,
        topicData: [{ name: this.topic, topicId: NO_TOPIC_ID, partitionData: [{ index: this.partition, records: batch }] }],
      });
      const p = res.responses.find((t) => t.name === this.topic)?.partitionResponses.find((x) => x.index === this.partition);
      if (!p) throw new Error(`produce to ${this.where}: no result for the partition`);
      if (p.errorCode !== 0) {
        const detail = p.errorMessage ?? p.recordErrors.map((e) => e.batchIndexErrorMessage).join("; ");
        throw new KafkaError(p.errorCode, `produce to ${this.where}`, detail);
      }
      return p.baseOffset;
    });
  }

  /** The offset the next appended record will get (the high watermark). */
  latestOffset(): Promise<bigint> {
    return this.listOffset(LATEST_TIMESTAMP);
  }

  /** The first offset still in the log (0 unless records were deleted from its start). */
  earliestOffset(): Promise<bigint> {
    return this.listOffset(EARLIEST_TIMESTAMP);
  }

  private listOffset(timestamp: bigint): Promise<bigint> {
    return this.withLeader("requests", 5, async (conn) => {
      const res = await conn.request(LIST_OFFSETS.key, LIST_OFFSETS.version, {
        replicaId: -1,
        isolationLevel: 0,
        topics: [
          { name: this.topic, partitions: [{ partitionIndex: this.partition, currentLeaderEpoch: -1, timestamp }] },
        ],
        timeoutMs: 30_000,
      });
      const p = res.topics.find((t) => t.name === this.topic)?.partitions.find((x) => x.partitionIndex === this.partition);
      if (!p) throw new Error(`list offsets of ${this.where}: no result for the partition`);
      if (p.errorCode !== 0) throw new KafkaError(p.errorCode, `list offsets of ${this.where}`);
      return p.offset;
    });
  }

  /**
   * Batches from `offset` on, waiting up to `maxWaitMs` for the first byte. Not retried: the
   * caller's loop decides how to go on; the leader is looked up again on its next call.
   */
  fetch(offset: bigint, maxWaitMs: number, maxBytes = 8 * 1024 * 1024): Promise<FetchedRecords> {
    return this.withLeader("fetches", 1, async (conn) => {
      const res = await conn.request(FETCH.key, FETCH.version, {
        replicaId: -1,
        maxWaitMs,
        minBytes: 1,
        maxBytes,
        isolationLevel: 0,
        sessionId: 0,
        sessionEpoch: -1, // no fetch session: every fetch names its partition in full
        topics: [
          {
            topic: this.topic,
            topicId: NO_TOPIC_ID,
            partitions: [
              {
                partition: this.partition,
                currentLeaderEpoch: -1,
                fetchOffset: offset,
                lastFetchedEpoch: -1,
                logStartOffset: -1n,
                partitionMaxBytes: maxBytes,
              },
            ],
          },
        ],
        forgottenTopicsData: [],
        rackId: "",
      });
      if (res.errorCode !== 0) throw new KafkaError(res.errorCode, `fetch from ${this.where}`);
      const p = res.responses.find((t) => t.topic === this.topic)?.partitions.find((x) => x.partitionIndex === this.partition);
      if (!p) throw new Error(`fetch from ${this.where}: no result for the partition`);
      if (p.errorCode !== 0) throw new KafkaError(p.errorCode, `fetch from ${this.where} at offset ${offset}`);
      return {
        batches: p.records ? decodeRecordBatches(p.records) : [],
        highWatermark: p.highWatermark,
        logStartOffset: p.logStartOffset,
      };
    });
  }

  close(): void {
    this.closed = true;
    const leader = this.leader;
    this.leader = undefined;
    leader?.then(closeLeader, () => {});
  }

  private get where(): string {
    return `${this.topic}-${this.partition}`;
  }

  private async withLeader<T>(use: Use, attempts: number, op: (conn: KafkaConnection) => Promise<T>): Promise<T> {
    for (let attempt = 1;; attempt++) {
      if (this.closed) throw new Error(`${this.where}: client closed`);
      const leader = this.connectLeader();
      let conn: KafkaConnection | undefined;
      try {
        conn = (await leader)[use];
        return await op(conn);
      } catch (error) {
        // A broken connection (or none at all) and a moved leader both mean: find it again.
        const broken = conn === undefined || conn.closed;
        const moved = error instanceof KafkaError && error.leaderChanged;
        if (broken || moved) this.dropLeader(leader);
        const retriable = broken || (error instanceof KafkaError && error.retriable);
        if (!retriable || attempt >= attempts || this.closed) throw error;
        await new Promise((resolve) => setTimeout(resolve, Math.min(100 * 2 ** attempt, 2000)));
      }
    }
  }

  private connectLeader(): Promise<LeaderConnections> {
    this.leader ??= (async () => {
      const address = await this.withAnyBroker((conn) => findPartitionLeader(conn, this.topic, this.partition));
      const requests = await this.open([address]);
      try {
        return { requests, fetches: await this.open([address]) };
      } catch (error) {
        requests.close();
        throw error;
      }
    })();
    return this.leader;
  }

  private dropLeader(leader: Promise<LeaderConnections>): void {
    if (this.leader !== leader) return; // already replaced by a newer lookup
    this.leader = undefined;
    leader.then(closeLeader, () => {});
  }

  private open(addresses: readonly BackingAddress[]): Promise<KafkaConnection> {
    const { runtime, sasl, tls, clientId } = this.options;
    return KafkaConnection.open(runtime, addresses, { sasl, tls, clientId: clientId ?? "kgate" });
  }
}

function closeLeader(leader: LeaderConnections): void {
  leader.requests.close();
  leader.fetches.close();
}
