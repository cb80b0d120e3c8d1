// RecordBatch v2 codec: known vectors written by the Java client and read back from a real
// broker, round trips, and the refusals (bad CRC, compression) the store relies on.
import { describe, expect, test } from "bun:test";
import { crc32c } from "../../src/client/crc32c.ts";
import { decodeRecordBatches, encodeRecordBatch, RecordBatchError } from "../../src/client/record-batch.ts";

const utf8 = new TextEncoder();
const text = (b: Uint8Array | null) => (b === null ? null : new TextDecoder().decode(b));
const fromHex = (hex: string) => new Uint8Array(hex.match(/../g)!.map((h) => parseInt(h, 16)));

// kafka-console-producer (Kafka 4.4, idempotent producer) sending key "vcluster/vc-alice",
// value {"name":"vc-alice"}, as the broker returned it in a Fetch response.
const JAVA_BATCH = "00000000000000000000005c00000000025211ca3a000000000000000001a21dc619b4000001a21dc619b4" +
  "00000000000003f200000000000000000001540000002276636c75737465722f76632d616c69636526" +
  "7b226e616d65223a2276632d616c696365227d00";
// The same tool sending a tombstone for key "vcluster/vc-bob" with header origin=node-a.
const JAVA_TOMBSTONE = "0000000000000000000000550000000002e0a3d514000000000000000001a21dc6351f000001a21dc6351f" +
  "00000000000003f300000000000000000001460000001e76636c75737465722f76632d626f6201020c6f" +
  "726967696e0c6e6f64652d61";

/** Sets the attributes of an encoded batch and fixes its CRC, as a broker's writer would. */
function withAttributes(batch: Uint8Array, attributes: number): Uint8Array {
  const copy = batch.slice();
  const view = new DataView(copy.buffer);
  view.setInt16(21, attributes);
  view.setUint32(17, crc32c(copy.subarray(21)));
  return copy;
}

describe("crc32c", () => {
  test("matches the CRC-32C check value", () => {
    expect(crc32c(utf8.encode("123456789"))).toBe(0xe3069283);
    expect(crc32c(new Uint8Array(0))).toBe(0);
  });

  test("matches the CRC the Java client wrote", () => {
    const batch = fromHex(JAVA_BATCH);
    expect(crc32c(batch.subarray(21))).toBe(new DataView(batch.buffer).getUint32(17));
    expect(crc32c(batch.subarray(21))).toBe(0x5211ca3a);
  });
});

describe("decodeRecordBatches", () => {
  test("reads a batch written by the Java client", () => {
    const [batch, ...rest] = decodeRecordBatches(fromHex(JAVA_BATCH));
    expect(rest).toEqual([]);
    expect(batch!.baseOffset).toBe(0n);
    expect(batch!.lastOffset).toBe(0n);
    expect(batch!.isControl).toBe(false);
    const [record] = batch!.records;
    expect(record!.offset).toBe(0n);
    expect(record!.timestamp).toBe(0x1a21dc619b4n);
    expect(text(record!.key)).toBe("vcluster/vc-alice");
    expect(text(record!.value)).toBe('{"name":"vc-alice"}');
    expect(record!.headers).toEqual([]);
  });

  test("reads a tombstone with a header written by the Java client", () => {
    const [record] = decodeRecordBatches(fromHex(JAVA_TOMBSTONE))[0]!.records;
    expect(text(record!.key)).toBe("vcluster/vc-bob");
    expect(record!.value).toBeNull();
    expect(record!.headers.map((h) => [h.key, text(h.value)])).toEqual([["origin", "node-a"]]);
  });

  test("reads consecutive batches and leaves a partial last one for the next fetch", () => {
    const a = fromHex(JAVA_BATCH);
    const b = fromHex(JAVA_TOMBSTONE);
    const bytes = new Uint8Array(a.length + b.length);
    bytes.set(a);
    bytes.set(b, a.length);
    expect(decodeRecordBatches(bytes)).toHaveLength(2);
    expect(decodeRecordBatches(bytes.subarray(0, bytes.length - 1))).toHaveLength(1);
    expect(decodeRecordBatches(bytes.subarray(0, a.length + 5))).toHaveLength(1);
    expect(decodeRecordBatches(new Uint8Array(0))).toEqual([]);
  });

  test("refuses a batch whose CRC does not match", () => {
    const batch = fromHex(JAVA_BATCH);
    batch[batch.length - 3]! ^= 0x01;
    expect(() => decodeRecordBatches(batch)).toThrow(RecordBatchError);
    expect(() => decodeRecordBatches(batch)).toThrow(/CRC 0x5211ca3a/);
  });

  test("refuses a compressed batch with a clear reason", () => {
    const zstd = withAttributes(fromHex(JAVA_BATCH), 4);
    expect(() => decodeRecordBatches(zstd)).toThrow(/compressed \(zstd\).*uncompressed batches only/);
  });

  test("skips the records of a control batch but keeps its offsets", () => {
    const control = withAttributes(encodeRecordBatch([{ key: null, value: null }, { key: null, value: null }]), 0x30);
    const [batch] = decodeRecordBatches(control);
    expect(batch!.isControl).toBe(true);
    expect(batch!.records).toEqual([]);
    expect(batch!.lastOffset).toBe(1n);
  });

  test("refuses the old message formats", () => {
    const v1 = fromHex(JAVA_BATCH);
    v1[16] = 1;
    expect(() => decodeRecordBatches(v1)).toThrow(/message format v1/);
  });
});

describe("encodeRecordBatch", () => {
  test("writes the Java client's record bytes for the same record", () => {
    const ours = encodeRecordBatch(
      [{ key: utf8.encode("vcluster/vc-alice"), value: utf8.encode('{"name":"vc-alice"}') }],
      { timestamp: 0x1a21dc619b4 },
    );
    const java = fromHex(JAVA_BATCH);
    // Equal but for the producer id, epoch and sequence (the Java producer is idempotent), and
    // so for the CRC covering them.
    expect(ours.length).toBe(java.length);
    expect(ours.subarray(0, 17)).toEqual(java.subarray(0, 17).map((b, i) => (i >= 12 && i < 16 ? 0xff : b)));
    expect(ours.subarray(21, 43)).toEqual(java.subarray(21, 43));
    expect(ours.subarray(57)).toEqual(java.subarray(57));
    expect(Array.from(ours.subarray(43, 57))).toEqual(Array(14).fill(0xff));
  });

  test("round trips keys, values, tombstones and headers", () => {
    const big = utf8.encode("x".repeat(10_000)); // beyond the writer's zero-copy threshold
    const records = Array.from({ length: 300 }, (_, i) => ({
      key: i === 7 ? null : utf8.encode(`account/vc-${i}/user-é${i}`),
      value: i % 5 === 0 ? null : i === 1 ? big : utf8.encode(JSON.stringify({ i })),
      headers: i % 3 === 0 ? [{ key: "h", value: utf8.encode(String(i)) }, { key: "n", value: null }] : [],
    }));
    const [batch, ...rest] = decodeRecordBatches(encodeRecordBatch(records, { timestamp: 1_700_000_000_000 }));
    expect(rest).toEqual([]);
    expect(batch!.lastOffset).toBe(299n);
    expect(batch!.records.map((r) => r.offset)).toEqual(records.map((_, i) => BigInt(i)));
    batch!.records.forEach((r, i) => {
      expect(r.key).toEqual(records[i]!.key);
      expect(r.value).toEqual(records[i]!.value);
      expect(r.headers).toEqual(records[i]!.headers);
      expect(r.timestamp).toBe(1_700_000_000_000n);
    });
  });

  test("refuses an empty batch", () => {
    expect(() => encodeRecordBatch([])).toThrow(RecordBatchError);
  });
});
