// Raw TCP conversations with kgate for tests that need bytes no Kafka client would send:
// hand-built frames, malformed frames, and watching when the far side closes.
import { connect, type Socket } from "node:net";

/** A Kafka request frame (size prefix, header v1) around `body`. */
export function requestFrame(apiKey: number, apiVersion: number, correlationId: number, body: Uint8Array = new Uint8Array(), clientId = "raw"): Uint8Array {
  const id = Buffer.from(clientId);
  const frame = Buffer.alloc(4 + 10 + id.length + body.length);
  frame.writeInt32BE(frame.length - 4, 0);
  frame.writeInt16BE(apiKey, 4);
  frame.writeInt16BE(apiVersion, 6);
  frame.writeInt32BE(correlationId, 8);
  frame.writeInt16BE(id.length, 12);
  id.copy(frame, 14);
  frame.set(body, 14 + id.length);
  return frame;
}

/** ApiVersions v0: a request every broker answers, with an empty body. */
export function apiVersionsV0(correlationId: number): Uint8Array {
  return requestFrame(18, 0, correlationId);
}

export interface RawOutcome {
  /** Everything the peer sent before closing (or before the timeout). */
  received: Buffer;
  /** The peer closed (end or reset) before the timeout. */
  closed: boolean;
  /** A write or the connection failed (ECONNRESET, EPIPE, ...). */
  error?: string;
  /** Our side's port: kgate logs it as the connection's peer. */
  localPort?: number;
}

/**
 * Connects, writes `chunks` (with `gapMs` between them), optionally half-closes, and waits up to
 * `timeoutMs` for the peer to close. The socket is destroyed afterwards in any case.
 */
export function rawConversation(
  host: string,
  port: number,
  chunks: Uint8Array[],
  opts: { timeoutMs?: number; gapMs?: number; endAfterWrite?: boolean } = {},
): Promise<RawOutcome> {
  return new Promise((resolve) => {
    const received: Buffer[] = [];
    let error: string | undefined;
    let settled = false;
    let localPort: number | undefined;
    const socket: Socket = connect(port, host);
    const finish = (closed: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ received: Buffer.concat(received), closed, error, localPort });
    };
    const timer = setTimeout(() => finish(false), opts.timeoutMs ?? 10_000);
    socket.on("data", (b: Buffer) => received.push(b));
    socket.on("error", (e) => {
      error = (e as NodeJS.ErrnoException).code ?? e.message;
    });
    socket.on("close", () => finish(true));
    socket.on("connect", async () => {
      localPort = socket.localPort;
      for (const c of chunks) {
        if (socket.destroyed) return;
        socket.write(c);
        if (opts.gapMs) await new Promise((r) => setTimeout(r, opts.gapMs));
      }
      if (opts.endAfterWrite) socket.end();
    });
  });
}

/**
 * A connection read frame by frame (int32 size prefix), for conversations that depend on the
 * answers, such as bare SASL tokens after SaslHandshake v0.
 */
export class RawFramedSocket {
  private buffered = Buffer.alloc(0);
  private waiter: (() => void) | null = null;
  private ended = false;

  private constructor(private readonly socket: Socket) {
    socket.on("data", (b: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, b]);
      this.wake();
    });
    socket.on("error", () => {});
    socket.on("close", () => {
      this.ended = true;
      this.wake();
    });
  }

  static open(host: string, port: number): Promise<RawFramedSocket> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, host);
      socket.once("error", reject);
      socket.once("connect", () => resolve(new RawFramedSocket(socket)));
    });
  }

  write(bytes: Uint8Array | readonly Uint8Array[]): void {
    for (const b of bytes instanceof Uint8Array ? [bytes] : bytes) this.socket.write(b);
  }

  /** The next frame, size prefix included; null if the peer closed (or `timeoutMs` passed) first. */
  async readFrame(timeoutMs = 5000): Promise<Uint8Array | null> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.buffered.length >= 4) {
        const size = this.buffered.readInt32BE(0);
        if (this.buffered.length >= 4 + size) {
          const frame = this.buffered.subarray(0, 4 + size);
          this.buffered = this.buffered.subarray(4 + size);
          return new Uint8Array(frame);
        }
      }
      if (this.ended || Date.now() >= deadline) return null;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, deadline - Date.now());
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** Resolves true once the peer has closed, false after `timeoutMs`. */
  async closed(timeoutMs = 5000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.ended && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, deadline - Date.now());
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    return this.ended;
  }

  /** Bytes received but not yet read as frames. */
  get pendingBytes(): number {
    return this.buffered.length;
  }

  destroy(): void {
    this.socket.destroy();
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }
}
