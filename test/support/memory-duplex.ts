// In-memory connections for unit tests of the byte-moving code: `duplexPair()` gives two ends,
// what one writes the other reads, in order. Closing an end (or the writable's close) ends the
// peer's readable, as a TCP FIN does; a peer's bytes already written are still read.
import { FrameSplitter } from "../../src/protocol/frames.ts";
import type { Duplex } from "../../src/runtime/types.ts";

class Direction {
  readonly readable: ReadableStream<Uint8Array>;
  private controller!: ReadableStreamDefaultController<Uint8Array>;
  ended = false;

  constructor() {
    this.readable = new ReadableStream<Uint8Array>({ start: (c) => void (this.controller = c) });
  }

  push(chunk: Uint8Array): void {
    if (!this.ended) this.controller.enqueue(chunk.slice());
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.controller.close();
  }
}

export interface MemoryDuplex extends Duplex {
  /** The end's own close() was called. */
  readonly closedByOwner: boolean;
}

function end(inbound: Direction, outbound: Direction, port: number): MemoryDuplex {
  let closedByOwner = false;
  return {
    readable: inbound.readable,
    writable: new WritableStream<Uint8Array>({
      write: (chunk) => outbound.push(chunk),
      close: () => outbound.end(),
    }),
    remoteAddress: "127.0.0.1",
    remotePort: port,
    localPort: 9092,
    get closedByOwner() {
      return closedByOwner;
    },
    close() {
      closedByOwner = true;
      inbound.end();
      outbound.end();
    },
  };
}

export function duplexPair(port = 40000): [MemoryDuplex, MemoryDuplex] {
  const ab = new Direction();
  const ba = new Direction();
  return [end(ba, ab, port), end(ab, ba, port + 1)];
}

/** Reads size-prefixed frames from a readable, as they complete; `bytes` counts raw bytes seen. */
export class FrameCollector {
  readonly frames: Uint8Array[] = [];
  bytes = 0;
  ended = false;
  private waiters: Array<() => void> = [];

  constructor(readable: ReadableStream<Uint8Array>) {
    void this.run(readable);
  }

  private async run(readable: ReadableStream<Uint8Array>): Promise<void> {
    const reader = readable.getReader();
    const splitter = new FrameSplitter(16 * 1024 * 1024);
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        this.bytes += value.length;
        splitter.push(value, (f) => this.frames.push(f.slice()));
        this.wake();
      }
    } catch {
      // an aborted stream ends the collection like a close
    }
    this.ended = true;
    this.wake();
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  /** Waits until `ready()` holds; fails after `timeoutMs` (a wide bound: the condition, not the time, is tested). */
  async until(ready: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!ready()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 20);
      });
    }
  }

  /** Correlation ids of response frames (right after the size). */
  correlationIds(): number[] {
    return this.frames.map((f) => new DataView(f.buffer, f.byteOffset).getInt32(4));
  }

  /** Correlation ids of request frames (after the size, api key and version). */
  requestCorrelationIds(): number[] {
    return this.frames.map((f) => new DataView(f.buffer, f.byteOffset).getInt32(8));
  }
}
