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
