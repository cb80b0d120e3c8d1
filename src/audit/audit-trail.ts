// The audit trail: events are queued and written to every sink in order, in batches, off the
// request path; a sink that fails is logged (once per failure streak) and retried with the next batch.
import { getLogger } from "../base/log.ts";
import type { AuditEvent, AuditInput, AuditSink } from "./audit-event.ts";

const log = getLogger("audit");
/** Bounded: a sink that stays down must not make the queue grow without end (invariant 4). */
const MAX_QUEUED = 10_000;

export class AuditTrail {
  private queue: AuditEvent[] = [];
  private flushing: Promise<void> | null = null;
  private dropped = 0;
  private failing = false;

  constructor(private readonly sinks: readonly AuditSink[], private readonly clock: () => number = Date.now) {}

  get enabled(): boolean {
    return this.sinks.length > 0;
  }

  record(input: AuditInput): void {
    if (this.sinks.length === 0) return;
    if (this.queue.length >= MAX_QUEUED) {
      this.dropped++;
      return;
    }
    this.queue.push({ time: new Date(this.clock()).toISOString(), ...input });
    this.flushing ??= this.flush();
  }

  /** Resolves once everything recorded so far is written (or failed). */
  async drain(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  async close(): Promise<void> {
    await this.drain();
    for (const s of this.sinks) await s.close?.();
  }

  private async flush(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue;
        this.queue = [];
        for (const sink of this.sinks) {
          try {
            await sink.write(batch);
            if (this.failing) log.info("audit sink writes again");
            this.failing = false;
          } catch (e) {
            if (!this.failing) log.error("audit sink failed: {reason}", { reason: (e as Error).message });
            this.failing = true;
          }
        }
        if (this.dropped > 0) {
          log.warn("audit: {n} events dropped while the queue was full", { n: this.dropped });
          this.dropped = 0;
        }
      }
    } finally {
      this.flushing = null;
    }
  }
}
