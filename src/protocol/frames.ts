// Splits a byte stream into Kafka frames (int32 size prefix + payload). Each emitted frame
// includes its 4-byte prefix, so a frame that needs no rewriting is forwarded as it arrived.
// Frames wholly inside one incoming chunk are emitted as views of that chunk (no copy).
import { ProtocolError } from "./wire.ts";

export class FrameSizeError extends ProtocolError {
  override name = "FrameSizeError";
}

const DEFAULT_MAX_FRAME_BYTES = 100 * 1024 * 1024;

/**
 * Optional cut-through: for a frame that does not fit the current chunk, `start` (given the
 * frame's size and the chunk holding at least its first 8 bytes at `offset`) may claim it; its
 * bytes then go to `part` as they arrive instead of being assembled, the last call with
 * `last` true. Used for large responses that need no rewriting.
 */
export interface CutThrough {
  start(size: number, chunk: Uint8Array, offset: number): boolean;
  /** `wholeChunk`: `bytes` is the very chunk given to `push`, and the splitter keeps no part of it. */
  part(bytes: Uint8Array, last: boolean, wholeChunk: boolean): void;
}

export class FrameSplitter {
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private needed = -1; // total size of the frame being assembled, -1 until its prefix is known
  private streaming = 0; // bytes of a cut-through frame still to come

  /** May be lowered and raised between pushes (e.g. a smaller limit before authentication). */
  constructor(public maxFrameBytes = DEFAULT_MAX_FRAME_BYTES) {}

  /** Feeds one chunk; calls `emit` for every complete frame. Throws FrameSizeError on a bad size. */
  push(chunk: Uint8Array, emit: (frame: Uint8Array) => void, cut?: CutThrough): void {
    if (this.streaming > 0) {
      const n = Math.min(this.streaming, chunk.length);
      this.streaming -= n;
      cut!.part(n === chunk.length ? chunk : chunk.subarray(0, n), this.streaming === 0, n === chunk.length);
      if (n === chunk.length) return;
      chunk = chunk.subarray(n);
    }
    if (this.pendingBytes === 0) {
      let off = 0;
      while (chunk.length - off >= 4) {
        const size = this.sizeAt(chunk, off);
        if (chunk.length - off < size + 4) {
          if (cut && chunk.length - off >= 8 && cut.start(size, chunk, off)) {
            this.streaming = 4 + size - (chunk.length - off);
            cut.part(chunk.subarray(off), false, false);
            return;
          }
          break;
        }
        emit(chunk.subarray(off, off + 4 + size));
        off += 4 + size;
      }
      if (off === chunk.length) return;
      chunk = chunk.subarray(off);
    }
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    for (;;) {
      if (this.needed < 0) {
        if (this.pendingBytes < 4) return;
        this.needed = 4 + this.sizeAt(this.gather(4), 0);
      }
      if (this.pendingBytes < this.needed) return;
      const frame = this.take(this.needed);
      this.needed = -1;
      emit(frame);
      if (this.pendingBytes === 0) return;
    }
  }

  /** Bytes of an incomplete frame still buffered; non-zero at end of stream means truncation. */
  get bufferedBytes(): number {
    return this.pendingBytes + this.streaming;
  }

  private sizeAt(buf: Uint8Array, off: number): number {
    const size = (buf[off]! << 24) | (buf[off + 1]! << 16) | (buf[off + 2]! << 8) | buf[off + 3]!;
    if (size < 0) throw new FrameSizeError(`negative frame size ${size}`);
    if (size > this.maxFrameBytes) throw new FrameSizeError(`frame size ${size} exceeds maximum ${this.maxFrameBytes}`);
    return size;
  }

  /** The first `n` buffered bytes as one view, merging chunks only when they are split. */
  private gather(n: number): Uint8Array {
    const first = this.pending[0]!;
    if (first.length >= n) return first;
    const merged = this.take(this.pendingBytes);
    this.pending = [merged];
    this.pendingBytes = merged.length;
    return merged;
  }

  private take(n: number): Uint8Array {
    const first = this.pending[0]!;
    let out: Uint8Array;
    if (first.length >= n) {
      out = first.subarray(0, n);
      if (first.length === n) this.pending.shift();
      else this.pending[0] = first.subarray(n);
    } else {
      out = new Uint8Array(n);
      let off = 0;
      while (off < n) {
        const c = this.pending[0]!;
        const k = Math.min(c.length, n - off);
        out.set(c.subarray(0, k), off);
        off += k;
        if (k === c.length) this.pending.shift();
        else this.pending[0] = c.subarray(k);
      }
    }
    this.pendingBytes -= n;
    return out;
  }
}

/** A TransformStream from a byte stream to frames (each with its size prefix). */
export function frameStream(maxFrameBytes = DEFAULT_MAX_FRAME_BYTES): TransformStream<Uint8Array, Uint8Array> {
  const splitter = new FrameSplitter(maxFrameBytes);
  return new TransformStream({
    transform(chunk, controller) {
      splitter.push(chunk, (frame) => controller.enqueue(frame));
    },
    flush() {
      if (splitter.bufferedBytes > 0) throw new ProtocolError(`stream ended inside a frame (${splitter.bufferedBytes} bytes buffered)`);
    },
  });
}
