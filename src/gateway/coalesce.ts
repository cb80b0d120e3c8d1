// Fewer, larger socket writes. An encoded frame is a list of chunks (header bytes, records
// referenced without copying, trailing fields), and each chunk written on its own costs a
// system call; a re-encoded Produce request of one partition is three. Copying small chunks
// together is cheaper than the calls, so runs of small chunks become one buffer, and a frame
// that is small in total becomes a single write. Large chunks (records) stay views: copying
// them would cost more than the call it saves.
import { concatBytes } from "../protocol/wire.ts";

/** A frame up to this size is written as one buffer (one copy of at most this much). */
export const COALESCE_WHOLE_BYTES = 64 * 1024;
/** In larger frames, chunks below this size are merged with their small neighbours. */
export const COALESCE_SMALL_CHUNK_BYTES = 8 * 1024;

export function coalesceChunks(chunks: readonly Uint8Array[]): Uint8Array[] {
  if (chunks.length <= 1) return chunks as Uint8Array[];
  let total = 0;
  for (const c of chunks) total += c.length;
  if (total <= COALESCE_WHOLE_BYTES) return [concatBytes(chunks)];
  const out: Uint8Array[] = [];
  let run: Uint8Array[] = [];
  const endRun = () => {
    if (run.length === 1) out.push(run[0]!);
    else if (run.length > 1) out.push(concatBytes(run));
    run = [];
  };
  for (const c of chunks) {
    if (c.length < COALESCE_SMALL_CHUNK_BYTES) {
      run.push(c);
      continue;
    }
    endRun();
    out.push(c);
  }
  endRun();
  return out;
}
