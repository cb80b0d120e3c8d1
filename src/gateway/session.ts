// One client connection and its upstream connection: frames in both directions, requests
// pipelined, responses delivered to the client in request order (Kafka's guarantee per
// connection), locally answered requests slotted into the same order.
//
// Cost is bounded per connection whatever the client does (invariant 4): the client is not read
// while its responses pile up unread or too many requests are in flight (Kafka mutes such a
// channel), the upstream connection is opened only when the first request must be forwarded
// (after authentication where it is required), and the policy may lower the frame limit (before
// authentication).
import { errorResponse } from "../protocol/error-response.ts";
import { ErrorCode } from "../protocol/error-codes.ts";
import { type CutThrough, FrameSplitter } from "../protocol/frames.ts";
import { describe } from "../base/describe.ts";
import { peekRequest } from "../protocol/headers.ts";
import type { Duplex } from "../runtime/types.ts";
import type { Frame, RequestHead, ResponseRewrite, SessionPolicy } from "./session-policy.ts";
import { ApiKey } from "../protocol/messages/api-keys.ts";
import { ThrottleWake } from "./throttle.ts";
import { coalesceChunks } from "./coalesce.ts";

/** Per-connection counters; `policy` tells whose connection it is (e.g. its vcluster). */
export interface SessionObserver {
  onRequest?(apiKey: number, bytes: number, policy: SessionPolicy): void;
  onResponse?(bytes: number, policy: SessionPolicy): void;
  /** A request's response was handed to the client's socket (or dropped with the connection). */
  onRequestDone?(timing: RequestTiming): void;
  /** Opening the backing connection for this client failed. */
  onUpstreamFailed?(reason: string): void;
  onClose?(reason: string, error: boolean): void;
}

/** Where one request's time went, in seconds. */
export interface RequestTiming {
  readonly apiKey: number;
  /** The connection's view when the request arrived (null: not logged in). */
  readonly view: string | null;
  /** From arrival until its response went to the client, minus the time at the broker. */
  readonly kgateSeconds: number;
  /** From forwarding it until the broker's response arrived; undefined when kgate answered it. */
  readonly brokerSeconds?: number;
}

/** Whether this client's backing connection exists yet (for the upstream connection gauge). */
export type UpstreamState = "none" | "connecting" | "open";

interface Slot {
  correlationId: number;
  /** Set once the slot's response is known; null = no response to send. */
  done: boolean;
  frame: Frame | null;
  awaitingUpstream: boolean;
  rewrite?: ResponseRewrite;
  onHead?: (head: Uint8Array) => void;
  apiKey: number;
  view: string | null;
  /** performance.now() when the request arrived, was forwarded, and its response came back. */
  receivedAt: number;
  forwardedAt?: number;
  brokerRespondedAt?: number;
}

/**
 * Responses at least this large that need no rewriting are streamed to the client as they
 * arrive (cut-through) instead of being assembled first: a big Fetch response would otherwise
 * cross kgate twice in sequence, halving consumer throughput.
 */
const CUT_THROUGH_MIN_BYTES = 64 * 1024;

/** Stands in for the header a bare SASL token lacks (no response is matched to it by id). */
const RAW_SASL_TOKEN_HEAD: RequestHead = { apiKey: ApiKey.SaslAuthenticate, apiVersion: 0, correlationId: -1 };

/** How long a drained connection waits for the client to close after kgate's FIN. */
const LINGER_MS = 2000;

/** Requests handled from one read before the session lets other connections run. */
const FRAMES_PER_TURN = 64;

/** A macrotask turn: timers and I/O of other connections run before this resolves. */
function yieldToOthers(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** Monotonic milliseconds with sub-millisecond precision (Bun, Deno and Node all have it). */
const now = () => performance.now();

export interface SessionLimits {
  /** Largest frame in either direction (a larger one closes the connection). */
  maxFrameBytes: number;
  /** Response bytes handed to the client but not yet taken by its socket before kgate stops reading it. */
  maxQueuedResponseBytes: number;
  /** Requests awaiting their response (or responses awaiting the socket) before kgate stops reading the client. */
  maxInFlightRequests: number;
  /** How long opening the backing connection (connect and kgate's own SASL login) may take. */
  upstreamConnectTimeoutMs: number;
}

export interface SessionOptions extends SessionLimits {
  /** The broker this connection stands for (null: the bootstrap port), for metrics. */
  nodeId?: number | null;
  /** Opens the backing connection; called once, for the first request that is forwarded. */
  openUpstream(): Promise<Duplex>;
  observer?: SessionObserver;
  clock?: () => number;
}

export class Session {
  private readonly slots: Slot[] = [];
  private closed = false;
  private closeReason = "";
  private closedWithError = false;
  private readonly clientWriter: WritableStreamDefaultWriter<Uint8Array>;
  private clientReader: ReadableStreamDefaultReader<Uint8Array> | null = null;
  private upstream: Duplex | null = null;
  private upstreamWriter: WritableStreamDefaultWriter<Uint8Array> | null = null;
  private upstreamLoop: Promise<void> = Promise.resolve();
  private drainWaiters: Array<() => void> = [];
  private lastClientWrite: Promise<void> = Promise.resolve();
  private queuedResponseBytes = 0;
  /** Writes not yet taken by the socket: tiny responses cost more in bookkeeping than in bytes. */
  private queuedResponses = 0;
  private unmute: (() => void) | null = null;
  /** Set by `drain()`: no further request is read or handled. */
  private draining = false;
  /** The request being handled (a policy may await a lookup before its slot exists). */
  private handling: Promise<unknown> = Promise.resolve();
  private upstreamStateNow: UpstreamState = "none";
  private readonly throttleWake = new ThrottleWake();
  private readonly finished: Promise<void>;
  private readonly clock: () => number;
  readonly openedAt: number;
  /** Last time a request arrived or a response was sent (for connections.max.idle.ms). */
  lastActivityAt: number;

  constructor(
    private readonly client: Duplex,
    readonly policy: SessionPolicy,
    private readonly options: SessionOptions,
  ) {
    this.clock = options.clock ?? Date.now;
    this.openedAt = this.lastActivityAt = this.clock();
    this.clientWriter = client.writable.getWriter();
    // Write failures surface in the read loops or in close(); avoid unhandled rejections here.
    this.clientWriter.closed.catch(() => {});
    this.finished = this.clientToUpstream().then(() => this.upstreamLoop);
  }

  /** Resolves when both directions are done. */
  get done(): Promise<void> {
    return this.finished;
  }

  get reason(): string {
    return this.closeReason;
  }

  /** Closed because something went wrong (not an orderly end by either side). */
  get failed(): boolean {
    return this.closedWithError;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Requests whose responses have not been sent yet. */
  get inFlight(): number {
    return this.slots.length;
  }

  /** Whether a backing connection has been opened for this client. */
  get upstreamOpened(): boolean {
    return this.upstream !== null;
  }

  get nodeId(): number | null {
    return this.options.nodeId ?? null;
  }

  get upstreamState(): UpstreamState {
    return this.upstreamStateNow;
  }

  /** Resolves once no request is in flight (for graceful shutdown). */
  idle(): Promise<void> {
    if (this.slots.length === 0 || this.closed) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  /**
   * Graceful shutdown of this connection: reads no further request, lets every request already
   * handled (forwarded to the broker or answered) reach the client, then closes, so the client
   * reconnects elsewhere with nothing it was told lost. Requests read but not yet handled get no
   * answer; the client retries them on its new connection as after any broker disconnect.
   */
  async drain(reason: string): Promise<void> {
    this.draining = true;
    this.unmute?.();
    await this.handling;
    await this.idle();
    await this.lastClientWrite;
    await this.lingeringClose(reason);
  }

  /**
   * A socket closed while the peer's bytes lie unread in it makes the kernel send a reset, and a
   * reset can destroy responses the client has not read yet (a drained client has pipelined
   * requests kgate never read). So: FIN after the last response (the client reads everything,
   * sees the end and reconnects), drop what it still sends until it closes, then close.
   */
  private async lingeringClose(reason: string): Promise<void> {
    if (this.closed) return;
    await this.clientWriter.close().catch(() => {});
    const reader = this.clientReader;
    if (reader) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const lingered = new Promise<void>((resolve) => (timer = setTimeout(resolve, LINGER_MS)));
      const drained = (async () => {
        for (;;) if ((await reader.read()).done) return;
      })().catch(() => {});
      await Promise.race([drained, lingered]);
      clearTimeout(timer);
    }
    this.close(reason);
  }

  close(reason: string, error = false): void {
    if (this.closed) return;
    this.closed = true;
    this.upstreamStateNow = "none";
    this.closeReason = reason;
    this.closedWithError = error;
    this.client.close();
    this.upstream?.close();
    for (const w of this.drainWaiters) w();
    this.drainWaiters = [];
    this.throttleWake.cancel();
    this.unmute?.();
    this.policy.onClose?.();
    this.options.observer?.onClose?.(reason, error);
  }

  /** Closes once every response already owed has reached the client's socket. */
  private async closeAfterResponses(reason: string, error = false): Promise<void> {
    await this.idle();
    await this.lastClientWrite;
    this.close(reason, error);
  }

  private async clientToUpstream(): Promise<void> {
    const reader = (this.clientReader = this.client.readable.getReader());
    const splitter = new FrameSplitter(this.requestLimit());
    const frames: Uint8Array[] = [];
    try {
      for (;;) {
        if (this.muted()) await this.unmuted();
        if (this.closed) break;
        if (this.draining) return;
        const { value, done } = await reader.read();
        if (done || this.closed || this.draining) break;
        this.lastActivityAt = this.clock();
        splitter.maxFrameBytes = this.requestLimit();
        splitter.push(value, (f) => frames.push(f));
        for (let i = 0; i < frames.length; i++) {
          if (this.draining) return;
          const handled = this.handleRequest(frames[i]!);
          this.handling = handled;
          if (!(await handled)) return;
          // A frame after the login may be larger than the pre-authentication limit allowed.
          splitter.maxFrameBytes = this.requestLimit();
          // Fairness: a client pipelining thousands of small requests in one read yields the
          // event loop to other connections now and then, and stops while it is muted.
          if ((i + 1) % FRAMES_PER_TURN === 0) await yieldToOthers();
          if (this.muted()) await this.unmuted();
          if (this.closed) return;
        }
        frames.length = 0;
        if (this.upstreamWriter) await this.upstreamWriter.ready;
      }
      if (this.closed || this.draining) return;
      if (splitter.bufferedBytes > 0) this.close(`client closed inside a frame (${splitter.bufferedBytes} bytes pending)`, true);
      // A half-closed client still gets every response it is owed (invariant 5).
      else await this.closeAfterResponses("client closed");
    } catch (e) {
      this.close(`client: ${describe(e)}`, true);
    }
  }

  private requestLimit(): number {
    const policyLimit = this.policy.maxRequestBytes?.() ?? Infinity;
    return Math.min(this.options.maxFrameBytes, policyLimit);
  }

  /**
   * Kafka's channel muting: stop reading a client that does not read its responses, or that a
   * quota throttles (until the throttle time has passed).
   */
  private muted(): boolean {
    const { maxQueuedResponseBytes, maxInFlightRequests } = this.options;
    return this.queuedResponseBytes > maxQueuedResponseBytes || this.queuedResponses >= maxInFlightRequests ||
      this.slots.length >= maxInFlightRequests || this.throttled();
  }

  private throttled(): boolean {
    return this.policy.throttledUntil !== undefined && this.policy.throttledUntil() > this.clock();
  }

  private unmuted(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.unmute = resolve;
      this.maybeUnmute();
    });
  }

  private maybeUnmute(): void {
    // A throttle ends with time, not with a client read: a timer resumes the session then.
    if (this.unmute && this.throttled()) this.throttleWake.arm(this.policy.throttledUntil!(), this.clock, () => this.maybeUnmute());
    if (this.unmute && !this.muted()) {
      const resume = this.unmute;
      this.unmute = null;
      resume();
    }
  }

  /** Returns false when the session must stop reading. */
  private async handleRequest(frame: Uint8Array): Promise<boolean> {
    const raw = this.policy.expectsRawSaslToken?.() === true;
    // A bare SASL token has no header to peek; it is counted as the SaslAuthenticate it stands for.
    const head = raw ? RAW_SASL_TOKEN_HEAD : peekRequest(frame);
    const receivedAt = now();
    const view = this.policy.view;
    this.options.observer?.onRequest?.(head.apiKey, frame.length, this.policy);
    let outcome = raw ? this.policy.onRawSaslToken!(frame) : this.policy.onRequest(frame, head);
    if (outcome instanceof Promise) outcome = await outcome;
    if (this.closed) return false;
    switch (outcome.kind) {
      case "close":
        this.close(outcome.reason, true);
        return false;
      case "answer":
        this.slots.push({
          correlationId: head.correlationId,
          done: true,
          frame: outcome.frame,
          awaitingUpstream: false,
          apiKey: head.apiKey,
          view,
          receivedAt,
        });
        this.flushSlots();
        if (outcome.closeAfter !== undefined) {
          // Kafka's way to refuse a login: send the error, then close.
          await this.closeAfterResponses(outcome.closeAfter, true);
          return false;
        }
        return true;
      case "forward":
        if (!this.upstreamWriter && !(await this.openUpstream(head, receivedAt))) return false;
        if (outcome.expectResponse) {
          this.slots.push({
            correlationId: head.correlationId,
            done: false,
            frame: null,
            awaitingUpstream: true,
            rewrite: outcome.rewrite,
            onHead: outcome.onResponseHead,
            apiKey: head.apiKey,
            view,
            receivedAt,
            forwardedAt: now(),
          });
        }
        void writeFrame(this.upstreamWriter!, outcome.frame);
        return true;
    }
  }

  /**
   * Opens the backing connection within the connect timeout. On failure the request that needed
   * it gets a Kafka error (where its response has a top-level error code) and the connection
   * closes; the client reconnects as after any broker failure.
   */
  private async openUpstream(head: RequestHead, receivedAt: number): Promise<boolean> {
    const timeoutMs = this.options.upstreamConnectTimeoutMs;
    let timer: ReturnType<typeof setTimeout> | undefined;
    this.upstreamStateNow = "connecting";
    const opening = this.options.openUpstream();
    try {
      const upstream = await Promise.race([
        opening,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`backing connection not ready within ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
      if (this.closed) {
        upstream.close();
        return false;
      }
      this.upstream = upstream;
      this.upstreamStateNow = "open";
      this.upstreamWriter = upstream.writable.getWriter();
      this.upstreamWriter.closed.catch(() => {});
      this.upstreamLoop = this.upstreamToClient(upstream);
      return true;
    } catch (e) {
      this.upstreamStateNow = "none";
      opening.then((late) => late.close(), () => {});
      const reason = `backing cluster unavailable: ${describe(e)}`;
      this.options.observer?.onUpstreamFailed?.(reason);
      const answer = errorResponse(head.apiKey, head.apiVersion, head.correlationId, ErrorCode.NETWORK_EXCEPTION, reason);
      if (answer) {
        this.slots.push({
          correlationId: head.correlationId,
          done: true,
          frame: answer,
          awaitingUpstream: false,
          apiKey: head.apiKey,
          view: this.policy.view,
          receivedAt,
        });
        this.flushSlots();
        await this.closeAfterResponses(reason, true);
      } else {
        this.close(reason, true);
      }
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  private async upstreamToClient(upstream: Duplex): Promise<void> {
    const reader = upstream.readable.getReader();
    const splitter = new FrameSplitter(this.options.maxFrameBytes);
    const frames: Uint8Array[] = [];
    const cut = this.responseCutThrough(upstream);
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
  private responseCutThrough(upstream: Duplex): CutThrough {
    let streamed: Slot | null = null;
    // A chunk streamed whole goes back to the adapter once written (its memory is read into again).
    const recycle = upstream.recycle?.bind(upstream);
    return {
      start: (size, chunk, offset) => {
        if (size < CUT_THROUGH_MIN_BYTES || chunk.length - offset < 64) return false;
        const slot = this.slots[0];
        if (!slot || !slot.awaitingUpstream || slot.rewrite) return false;
        const correlationId = new DataView(chunk.buffer, chunk.byteOffset + offset + 4, 4).getInt32(0);
        if (slot.correlationId !== correlationId) return false; // handled (and refused) the usual way
        slot.awaitingUpstream = false;
        slot.brokerRespondedAt = now();
        slot.onHead?.(chunk.subarray(offset));
        streamed = slot;
        this.options.observer?.onResponse?.(size + 4, this.policy);
        return true;
      },
      part: (bytes, last, wholeChunk) => {
        this.writeToClient(bytes, wholeChunk && recycle ? () => recycle(bytes) : undefined);
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
    slot.brokerRespondedAt = now();
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
      if (slot.frame !== null) this.writeToClient(slot.frame);
      this.observeDone(slot);
    }
    if (this.slots.length === 0 && this.drainWaiters.length > 0) {
      for (const w of this.drainWaiters) w();
      this.drainWaiters = [];
    }
    this.maybeUnmute();
  }

  private observeDone(slot: Slot): void {
    const observe = this.options.observer?.onRequestDone;
    if (!observe) return;
    const total = now() - slot.receivedAt;
    const atBroker = slot.forwardedAt !== undefined && slot.brokerRespondedAt !== undefined ? slot.brokerRespondedAt - slot.forwardedAt : undefined;
    observe({
      apiKey: slot.apiKey,
      view: slot.view,
      kgateSeconds: Math.max(0, total - (atBroker ?? 0)) / 1000,
      brokerSeconds: atBroker === undefined ? undefined : atBroker / 1000,
    });
  }

  /**
   * Writes without waiting (the read loops wait on `ready`), counting bytes until the socket took
   * them; `written` runs once the write has settled.
   */
  private writeToClient(frame: Frame, written?: () => void): void {
    const bytes = frame instanceof Uint8Array ? frame.length : frame.reduce((n, c) => n + c.length, 0);
    this.queuedResponseBytes += bytes;
    this.queuedResponses++;
    this.lastActivityAt = this.clock();
    this.lastClientWrite = writeFrame(this.clientWriter, frame).then(() => {
      this.queuedResponseBytes -= bytes;
      this.queuedResponses--;
      written?.();
      this.maybeUnmute();
    });
  }
}

/** Returns the last write's promise (settled, never rejecting). */
function writeFrame(writer: WritableStreamDefaultWriter<Uint8Array>, frame: Frame): Promise<void> {
  if (frame instanceof Uint8Array) return writer.write(frame).catch(() => {});
  let last: Promise<void> = Promise.resolve();
  for (const chunk of coalesceChunks(frame)) last = writer.write(chunk).catch(() => {});
  return last;
}

export { describe } from "../base/describe.ts";
