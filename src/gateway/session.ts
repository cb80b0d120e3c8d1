// One client connection and its upstream connection: frames in both directions, requests
// pipelined, responses delivered to the client in request order (Kafka's guarantee per
// connection), locally answered requests slotted into the same order.
import { type CutThrough, FrameSplitter } from "../protocol/frames.ts";
import { peekRequest } from "../protocol/headers.ts";
import type { Duplex } from "../runtime/types.ts";
import type { Frame, ResponseRewrite, SessionPolicy } from "./session-policy.ts";

/** Per-connection counters; `policy` tells whose connection it is (e.g. its vcluster). */
export interface SessionObserver {
  onRequest?(apiKey: number, bytes: number, policy: SessionPolicy): void;
  onResponse?(bytes: number, policy: SessionPolicy): void;
  onClose?(reason: string, error: boolean): void;
}

interface Slot {
  correlationId: number;
  /** Set once the slot's response is known; null = no response to send. */
  done: boolean;
  frame: Frame | null;
  awaitingUpstream: boolean;
  rewrite?: ResponseRewrite;
  onHead?: (head: Uint8Array) => void;
}

/**
 * Responses at least this large that need no rewriting are streamed to the client as they
 * arrive (cut-through) instead of being assembled first: a big Fetch response would otherwise
 * cross kgate twice in sequence, halving consumer throughput.
 */
const CUT_THROUGH_MIN_BYTES = 64 * 1024;

export interface SessionOptions {
  maxFrameBytes: number;
  observer?: SessionObserver;
}

export class Session {
  private readonly slots: Slot[] = [];
  private closed = false;
  private closeReason = "";
  private readonly clientWriter: WritableStreamDefaultWriter<Uint8Array>;
  private readonly upstreamWriter: WritableStreamDefaultWriter<Uint8Array>;
  private drainWaiters: Array<() => void> = [];
  private lastClientWrite: Promise<void> = Promise.resolve();
  private readonly finished: Promise<void>;

  constructor(
    private readonly client: Duplex,
    private readonly upstream: Duplex,
    readonly policy: SessionPolicy,
    private readonly options: SessionOptions,
  ) {
    this.clientWriter = client.writable.getWriter();
    this.upstreamWriter = upstream.writable.getWriter();
    // Write failures surface in the read loops or in close(); avoid unhandled rejections here.
    this.clientWriter.closed.catch(() => {});
    this.upstreamWriter.closed.catch(() => {});
    this.finished = Promise.all([this.clientToUpstream(), this.upstreamToClient()]).then(() => {});
  }

  /** Resolves when both directions are done. */
  get done(): Promise<void> {
    return this.finished;
  }

  get reason(): string {
    return this.closeReason;
  }

  /** Requests sent upstream whose responses have not arrived yet. */
  get inFlight(): number {
    return this.slots.length;
  }

  /** Resolves once no request is in flight (for graceful shutdown). */
  idle(): Promise<void> {
    if (this.slots.length === 0 || this.closed) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  close(reason: string, error = false): void {
    if (this.closed) return;
    this.closed = true;
    this.closeReason = reason;
    this.client.close();
    this.upstream.close();
    for (const w of this.drainWaiters) w();
    this.drainWaiters = [];
    this.policy.onClose?.();
    this.options.observer?.onClose?.(reason, error);
  }

  private async clientToUpstream(): Promise<void> {
    const reader = this.client.readable.getReader();
    const splitter = new FrameSplitter(this.options.maxFrameBytes);
    const frames: Uint8Array[] = [];
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done || this.closed) break;
        splitter.push(value, (f) => frames.push(f));
        for (let i = 0; i < frames.length; i++) {
          if (!(await this.handleRequest(frames[i]!))) return;
        }
        frames.length = 0;
        await this.upstreamWriter.ready;
      }
      if (splitter.bufferedBytes > 0) this.close(`client closed inside a frame (${splitter.bufferedBytes} bytes pending)`, true);
      else if (this.slots.length === 0) this.close("client closed");
      else await this.idle().then(() => this.close("client closed"));
    } catch (e) {
      this.close(`client: ${describe(e)}`, true);
    }
  }

  /** Returns false when the session must stop reading. */
  private async handleRequest(frame: Uint8Array): Promise<boolean> {
    const head = peekRequest(frame);
    this.options.observer?.onRequest?.(head.apiKey, frame.length, this.policy);
    let outcome = this.policy.onRequest(frame, head);
    if (outcome instanceof Promise) outcome = await outcome;
    if (this.closed) return false;
    switch (outcome.kind) {
      case "close":
        this.close(outcome.reason, true);
        return false;
      case "answer":
        this.slots.push({ correlationId: head.correlationId, done: true, frame: outcome.frame, awaitingUpstream: false });
        this.flushSlots();
        if (outcome.closeAfter !== undefined) {
          // Kafka's way to refuse a login: send the error, then close.
          await this.idle();
          await this.lastClientWrite;
          this.close(outcome.closeAfter, true);
          return false;
        }
        return true;
      case "forward":
        if (outcome.expectResponse) {
          this.slots.push({
            correlationId: head.correlationId, done: false, frame: null, awaitingUpstream: true,
            rewrite: outcome.rewrite, onHead: outcome.onResponseHead,
          });
        }
        void writeFrame(this.upstreamWriter, outcome.frame);
        return true;
    }
  }

  private async upstreamToClient(): Promise<void> {
    const reader = this.upstream.readable.getReader();
    const splitter = new FrameSplitter(this.options.maxFrameBytes);
    const frames: Uint8Array[] = [];
    const cut = this.responseCutThrough();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done || this.closed) break;
        splitter.push(value, (f) => frames.push(f), cut);
        for (let i = 0; i < frames.length; i++) await this.handleResponse(frames[i]!);
        frames.length = 0;
        await this.clientWriter.ready;
      }
      this.close(this.closed ? this.closeReason : "broker closed the connection");
    } catch (e) {
      this.close(`upstream: ${describe(e)}`, true);
    }
  }

  /** Streams a large response straight to the client when it is next in line and needs no rewrite. */
  private responseCutThrough(): CutThrough {
    let streamed: Slot | null = null;
    return {
      start: (size, chunk, offset) => {
        if (size < CUT_THROUGH_MIN_BYTES || chunk.length - offset < 64) return false;
        const slot = this.slots[0];
        if (!slot || !slot.awaitingUpstream || slot.rewrite) return false;
        const correlationId = new DataView(chunk.buffer, chunk.byteOffset + offset + 4, 4).getInt32(0);
        if (slot.correlationId !== correlationId) return false; // handled (and refused) the usual way
        slot.awaitingUpstream = false;
        slot.onHead?.(chunk.subarray(offset));
        streamed = slot;
        this.options.observer?.onResponse?.(size + 4, this.policy);
        return true;
      },
      part: (bytes, last) => {
        this.lastClientWrite = writeFrame(this.clientWriter, bytes);
        if (last && streamed) {
          // Already written: the slot completes with nothing left to send.
          streamed.done = true;
          streamed.frame = null;
          streamed = null;
          this.flushSlots();
        }
      },
    };
  }

  private async handleResponse(frame: Uint8Array): Promise<void> {
    const slot = this.slots.find((s) => s.awaitingUpstream);
    const correlationId = frame.length >= 8 ? new DataView(frame.buffer, frame.byteOffset).getInt32(4) : NaN;
    if (!slot) throw new Error(`unexpected response (correlation id ${correlationId}) with no request in flight`);
    if (slot.correlationId !== correlationId) {
      throw new Error(`response correlation id ${correlationId} does not match request ${slot.correlationId}`);
    }
    slot.awaitingUpstream = false;
    slot.onHead?.(frame);
    this.options.observer?.onResponse?.(frame.length, this.policy);
    let out: Frame = frame;
    if (slot.rewrite) {
      const r = slot.rewrite(frame);
      out = r instanceof Promise ? await r : r;
    }
    slot.frame = out;
    slot.done = true;
    this.flushSlots();
  }

  private flushSlots(): void {
    while (this.slots.length > 0 && this.slots[0]!.done) {
      const slot = this.slots.shift()!;
      if (slot.frame !== null) this.lastClientWrite = writeFrame(this.clientWriter, slot.frame);
    }
    if (this.slots.length === 0 && this.drainWaiters.length > 0) {
      for (const w of this.drainWaiters) w();
      this.drainWaiters = [];
    }
  }
}

/** Returns the last write's promise (settled, never rejecting). */
function writeFrame(writer: WritableStreamDefaultWriter<Uint8Array>, frame: Frame): Promise<void> {
  // Not awaited per frame: the read loops await `writer.ready`, which is the backpressure.
  if (frame instanceof Uint8Array) return writer.write(frame).catch(() => {});
  let last: Promise<void> = Promise.resolve();
  for (const chunk of frame) last = writer.write(chunk).catch(() => {});
  return last;
}

export function describe(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}
