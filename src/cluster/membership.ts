// The kgate nodes sharing one state: each node writes a heartbeat (its announcement) to a compacted
// topic on the backing cluster and follows that topic, so every node knows the others within a
// heartbeat or two. A node is live while its heartbeats keep arriving; liveness is judged by the
// receiver's clock (time of receipt), so clock skew between nodes does not matter. A node that
// stops cleanly writes a tombstone and leaves at once; one killed leaves after `expiryMs`.
import type { SaslCredentials } from "../client/sasl-login.ts";
import { ensureTopic } from "../client/admin-ops.ts";
import { PartitionLog } from "../client/partition-log.ts";
import type { DecodedRecord } from "../client/record-batch.ts";
import type { BackingAddress } from "../gateway/broker-directory.ts";
import type { Runtime, TlsClientOptions } from "../runtime/types.ts";
import { type NodeAnnouncement, nodeAnnouncementSchema } from "./node-announcement.ts";

export interface MembershipOptions {
  readonly runtime: Runtime;
  readonly bootstrap: readonly BackingAddress[];
  readonly sasl?: SaslCredentials;
  readonly tls?: TlsClientOptions;
  readonly topic: string;
  readonly nodeId: string;
  /** This node's announcement, built afresh for every heartbeat. */
  readonly announcement: () => NodeAnnouncement;
  readonly heartbeatMs: number;
  readonly expiryMs: number;
  readonly clock?: () => number;
  readonly log?: (level: "info" | "warn", line: string) => void;
}

export interface ClusterNode {
  readonly id: string;
  readonly announcement: NodeAnnouncement;
  /** Receiver's clock, milliseconds since the epoch. */
  readonly lastSeenAt: number;
  readonly self: boolean;
}

const TOPIC_CONFIGS = { "cleanup.policy": "compact", "compression.type": "uncompressed", "segment.ms": "600000" };
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class ClusterMembership {
  private readonly nodes = new Map<string, { announcement: NodeAnnouncement; lastSeenAt: number }>();
  private readonly listeners: Array<(live: readonly string[]) => void> = [];
  private readonly log: PartitionLog;
  private readonly clock: () => number;
  private liveIds: readonly string[] = [];
  private nextOffset = 0n;
  private stopped = false;
  private timers: ReturnType<typeof setInterval>[] = [];
  private failures = 0;

  private constructor(private readonly options: MembershipOptions) {
    this.clock = options.clock ?? Date.now;
    const { runtime, bootstrap, sasl, tls, topic } = options;
    this.log = new PartitionLog({ runtime, bootstrap, sasl, tls, topic, clientId: "kgate-cluster" });
  }

  /** Creates the topic if needed, reads what is there, announces this node and keeps doing so. */
  static async start(options: MembershipOptions): Promise<ClusterMembership> {
    const m = new ClusterMembership(options);
    await m.log.withAnyBroker((conn) => ensureTopic(conn, { name: options.topic, partitions: 1, replicationFactor: -1, configs: TOPIC_CONFIGS }));
    await m.replay();
    await m.heartbeat();
    m.recompute();
    void m.follow();
    m.timers.push(setInterval(() => void m.heartbeat(), options.heartbeatMs));
    m.timers.push(setInterval(() => m.recompute(), Math.max(100, Math.floor(options.heartbeatMs / 2))));
    return m;
  }

  /** Live node ids, sorted; this node is always among them. */
  get live(): readonly string[] {
    return this.liveIds;
  }

  /** Every node known, live or not, with what it last said. */
  nodesKnown(): ClusterNode[] {
    const self = this.options.nodeId;
    return [...this.nodes.entries()]
      .map(([id, n]) => ({ id, announcement: n.announcement, lastSeenAt: n.lastSeenAt, self: id === self }))
      .sort((a, b) => a.id.localeCompare(b.id));
  }

  announcementOf(id: string): NodeAnnouncement | undefined {
    return id === this.options.nodeId ? this.options.announcement() : this.nodes.get(id)?.announcement;
  }

  isLive(id: string): boolean {
    return this.liveIds.includes(id);
  }

  onChange(listener: (live: readonly string[]) => void): void {
    this.listeners.push(listener);
  }

  /** Leaves the cluster: a tombstone, so the others move this node's brokers at once. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    try {
      await this.log.produce([{ key: encoder.encode(this.options.nodeId), value: null }], 5000);
    } catch (e) {
      this.options.log?.("warn", `cluster: could not announce leaving (${describe(e)}); the others notice after ${this.options.expiryMs} ms`);
    }
    this.log.close();
  }

  private async replay(): Promise<void> {
    const end = await this.log.latestOffset();
    this.nextOffset = await this.log.earliestOffset();
    while (this.nextOffset < end) {
      const fetched = await this.log.fetch(this.nextOffset, 100);
      // During the replay a record counts from its own timestamp: an old heartbeat is no sign of life.
      this.apply(fetched.batches.flatMap((b) => b.records), (r) => Math.min(this.clock(), Number(r.timestamp)));
      if (fetched.batches.length === 0) break;
    }
  }

  private async follow(): Promise<void> {
    while (!this.stopped) {
      try {
        const fetched = await this.log.fetch(this.nextOffset, 500);
        this.apply(fetched.batches.flatMap((b) => b.records), () => this.clock());
      } catch (e) {
        if (this.stopped) return;
        this.warnEvery20th(`cluster: reading ${this.options.topic} failed: ${describe(e)}`);
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  }

  private apply(records: readonly DecodedRecord[], seenAt: (r: DecodedRecord) => number): void {
    for (const r of records) {
      if (r.offset < this.nextOffset) continue;
      this.nextOffset = r.offset + 1n;
      if (r.key === null) continue;
      const id = decoder.decode(r.key);
      if (r.value === null) {
        this.nodes.delete(id);
        continue;
      }
      let parsed;
      try {
        parsed = nodeAnnouncementSchema.safeParse(JSON.parse(decoder.decode(r.value)));
      } catch {
        parsed = undefined;
      }
      if (!parsed?.success) {
        this.options.log?.("warn", `cluster: record of node ${JSON.stringify(id.slice(0, 128))} at offset ${r.offset} is not a valid announcement; skipped`);
        continue;
      }
      this.nodes.set(id, { announcement: parsed.data, lastSeenAt: seenAt(r) });
    }
    this.recompute();
  }

  private async heartbeat(): Promise<void> {
    if (this.stopped) return;
    const announcement = this.options.announcement();
    try {
      await this.log.produce([{ key: encoder.encode(this.options.nodeId), value: encoder.encode(JSON.stringify(announcement)) }], 5000);
      if (this.failures > 0) this.options.log?.("info", `cluster: heartbeats to ${this.options.topic} work again`);
      this.failures = 0;
    } catch (e) {
      this.warnEvery20th(`cluster: heartbeat to ${this.options.topic} failed: ${describe(e)}`);
    }
  }

  private recompute(): void {
    const now = this.clock();
    const self = this.options.nodeId;
    const live = [...this.nodes.entries()]
      .filter(([id, n]) => id === self || now - n.lastSeenAt <= this.options.expiryMs)
      .map(([id]) => id);
    if (!live.includes(self)) live.push(self);
    live.sort();
    if (live.length === this.liveIds.length && live.every((id, i) => id === this.liveIds[i])) return;
    const joined = live.filter((id) => !this.liveIds.includes(id));
    const left = this.liveIds.filter((id) => !live.includes(id));
    this.liveIds = live;
    this.options.log?.(
      "info",
      `cluster: ${live.length} live node(s) [${live.join(", ")}]${joined.length ? `; joined ${joined.join(", ")}` : ""}${
        left.length ? `; left ${left.join(", ")}` : ""
      }`,
    );
    for (const l of this.listeners) l(live);
  }

  private warnEvery20th(line: string): void {
    if (this.failures++ % 20 === 0) this.options.log?.("warn", `${line} (${this.failures}x)`);
  }
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
