// Frames written as few buffers as is cheap: the bytes and their order never change.
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { COALESCE_SMALL_CHUNK_BYTES, COALESCE_WHOLE_BYTES, coalesceChunks } from "../../src/gateway/coalesce.ts";
import { concatBytes } from "../../src/protocol/wire.ts";

const chunk = (n: number, fill: number) => new Uint8Array(n).fill(fill);

describe("coalesceChunks", () => {
  test("a small frame of many chunks becomes one buffer", () => {
    const out = coalesceChunks([chunk(20, 1), chunk(16 * 1024, 2), chunk(5, 3)]);
    expect(out).toHaveLength(1);
    expect(out[0]).toEqual(concatBytes([chunk(20, 1), chunk(16 * 1024, 2), chunk(5, 3)]));
  });

  test("in a large frame, big chunks stay the same views and small neighbours merge", () => {
    const big = chunk(COALESCE_WHOLE_BYTES, 9);
    const out = coalesceChunks([chunk(10, 1), chunk(12, 2), big, chunk(3, 4)]);
    expect(out).toHaveLength(3);
    expect(out[1]).toBe(big);
    expect(out[0]).toEqual(concatBytes([chunk(10, 1), chunk(12, 2)]));
  });

  test("any chunk list: same bytes, no more writes than before, big chunks not copied", () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 3 * COALESCE_SMALL_CHUNK_BYTES }), { maxLength: 12 }), (sizes) => {
      const chunks = sizes.map((n, i) => chunk(n, i));
      const out = coalesceChunks(chunks);
      expect(concatBytes(out)).toEqual(concatBytes(chunks));
      expect(out.length).toBeLessThanOrEqual(Math.max(chunks.length, 0));
      const total = sizes.reduce((a, b) => a + b, 0);
      if (total > COALESCE_WHOLE_BYTES) { for (const c of chunks) if (c.length >= COALESCE_SMALL_CHUNK_BYTES) expect(out).toContain(c); }
    }));
  });
});
