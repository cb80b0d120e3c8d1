// Kafka RecordBatch v2 (magic 2): the bytes inside Produce and Fetch `records` fields. kgate
// forwards client batches untouched (invariant 3, ARCHITECTURE.md); this codec is only for kgate's own
// records, such as the Kafka-backed store's. Writes are uncompressed; reads accept uncompressed
// batches and refuse compressed ones with a clear error rather than guessing.
//
// Layout: baseOffset int64 | batchLength int32 | partitionLeaderEpoch int32 | magic int8 |
// crc uint32 (CRC-32C of everything after it) | attributes int16 | lastOffsetDelta int32 |
// baseTimestamp int64 | maxTimestamp int64 | producerId int64 | producerEpoch int16 |
// baseSequence int32 | recordCount int32 | records (varint-framed).
import { Reader, Writer } from "../protocol/wire.ts";
import { crc32c } from "./crc32c.ts";

export interface RecordHeader {
  readonly key: string;
  readonly value: Uint8Array | null;
}

export interface BatchRecord {
  readonly key: Uint8Array | null;
  /** null is a tombstone: on a compacted topic it deletes the key. */
  readonly value: Uint8Array | null;
  readonly headers?: readonly RecordHeader[];
}

export interface DecodedRecord extends BatchRecord {
  readonly offset: bigint;
  readonly timestamp: bigint;
  readonly headers: readonly RecordHeader[];
}

export interface DecodedBatch {
  readonly baseOffset: bigint;
  /** Offset of the batch's last record as written; compaction can remove records, not this. */
  readonly lastOffset: bigint;
  /** Transaction markers: no user records, but they take an offset. */
  readonly isControl: boolean;
  readonly records: readonly DecodedRecord[];
}

export class RecordBatchError extends Error {
  override name = "RecordBatchError";
}

const MAGIC = 2;
/** Bytes before `attributes`: the part the CRC does not cover. */
const CRC_START = 21;
/** baseOffset + batchLength: the part `batchLength` does not count. */
const LOG_OVERHEAD = 12;
const ATTR_COMPRESSION = 0x07;
const ATTR_CONTROL = 0x20;
const COMPRESSION_NAMES = ["none", "gzip", "snappy", "lz4", "zstd"];
const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder();

export interface EncodeOptions {
  /** Milliseconds since the epoch, for every record (CreateTime). */
  readonly timestamp?: number;
}

/** One uncompressed, non-transactional batch; the broker assigns the offsets. */
export function encodeRecordBatch(records: readonly BatchRecord[], options: EncodeOptions = {}): Uint8Array {
  if (records.length === 0) throw new RecordBatchError("a record batch needs at least one record");
  const timestamp = BigInt(options.timestamp ?? Date.now());

  const tail = new Writer();
  tail.int16(0); // attributes: no compression, CreateTime, not transactional, not control
  tail.int32(records.length - 1);
  tail.int64(timestamp);
  tail.int64(timestamp);
  tail.int64(-1n); // producerId: none (idempotence is not used)
  tail.int16(-1);
  tail.int32(-1);
  tail.int32(records.length);
  records.forEach((record, i) => encodeRecord(tail, record, i));
  const tailBytes = tail.toBytes();

  const batch = new Writer(CRC_START + tailBytes.length);
  batch.int64(0n);
  batch.int32(CRC_START - LOG_OVERHEAD + tailBytes.length);
  batch.int32(-1); // partitionLeaderEpoch: set by the broker
  batch.int8(MAGIC);
  batch.uint32(crc32c(tailBytes));
  batch.raw(tailBytes);
  return batch.toBytes();
}

function encodeRecord(out: Writer, record: BatchRecord, offsetDelta: number): void {
  const body = new Writer();
  body.int8(0); // attributes (unused)
  body.varint(0); // timestampDelta
  body.varint(offsetDelta);
  writeVarBytes(body, record.key);
  writeVarBytes(body, record.value);
  const headers = record.headers ?? [];
  body.varint(headers.length);
  for (const h of headers) {
    writeVarBytes(body, utf8.encode(h.key));
    writeVarBytes(body, h.value);
  }
  out.varint(body.length);
  out.append(body);
}

function writeVarBytes(w: Writer, b: Uint8Array | null): void {
  if (b === null) {
    w.varint(-1);
    return;
  }
  w.varint(b.length);
  w.raw(b);
}

/**
 * Every complete batch in `bytes`, in order. A Fetch response may end in a partial batch (cut
 * at the size limit); it is left for the next fetch. Throws on a bad CRC, an old message format
 * or a compressed batch.
 */
export function decodeRecordBatches(bytes: Uint8Array): DecodedBatch[] {
  const batches: DecodedBatch[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 0;
  while (bytes.length - pos >= LOG_OVERHEAD) {
    const size = view.getInt32(pos + 8);
    const end = pos + LOG_OVERHEAD + size;
    if (end > bytes.length) break;
    batches.push(decodeBatch(bytes.subarray(pos, end)));
    pos = end;
  }
  return batches;
}

function decodeBatch(batch: Uint8Array): DecodedBatch {
  const r = new Reader(batch);
  const baseOffset = r.int64();
  r.int32(); // batchLength: already used to cut the batch
  r.int32(); // partitionLeaderEpoch
  const magic = r.int8();
  if (magic !== MAGIC) {
    throw new RecordBatchError(`batch at offset ${baseOffset} has message format v${magic}; only v2 is supported`);
  }
  const crc = r.uint32();
  const actual = crc32c(batch.subarray(CRC_START));
  if (crc !== actual) {
    throw new RecordBatchError(`batch at offset ${baseOffset} is corrupt: CRC ${hex(crc)}, computed ${hex(actual)}`);
  }
  const attributes = r.int16();
  const lastOffset = baseOffset + BigInt(r.int32());
  const baseTimestamp = r.int64();
  r.int64(); // maxTimestamp
  r.int64(); // producerId
  r.int16(); // producerEpoch
  r.int32(); // baseSequence
  const count = r.int32();
  const isControl = (attributes & ATTR_CONTROL) !== 0;
  const compression = attributes & ATTR_COMPRESSION;
  if (compression !== 0) {
    throw new RecordBatchError(
      `batch at offset ${baseOffset} is compressed (${COMPRESSION_NAMES[compression] ?? `codec ${compression}`}); ` +
        "kgate reads uncompressed batches only",
    );
  }
  const records: DecodedRecord[] = [];
  if (!isControl) {
    for (let i = 0; i < count; i++) records.push(decodeRecord(r, baseOffset, baseTimestamp));
  }
  return { baseOffset, lastOffset, isControl, records };
}

function decodeRecord(r: Reader, baseOffset: bigint, baseTimestamp: bigint): DecodedRecord {
  const length = readVarlong(r);
  const end = r.pos + length;
  if (length < 0 || end > r.end) throw new RecordBatchError(`record length ${length} exceeds its batch`);
  r.int8(); // attributes
  const timestamp = baseTimestamp + BigInt(readVarlong(r));
  const offset = baseOffset + BigInt(readVarlong(r));
  const key = readVarBytes(r);
  const value = readVarBytes(r);
  const headerCount = readVarlong(r);
  const headers: RecordHeader[] = [];
  for (let i = 0; i < headerCount; i++) {
    const headerKey = readVarBytes(r);
    if (headerKey === null) throw new RecordBatchError(`record at offset ${offset} has a header with a null key`);
    headers.push({ key: utf8Decoder.decode(headerKey), value: readVarBytes(r) });
  }
  if (r.pos !== end) throw new RecordBatchError(`record at offset ${offset} does not match its length`);
  return { offset, timestamp, key, value, headers };
}

function readVarBytes(r: Reader): Uint8Array | null {
  const length = readVarlong(r);
  return length < 0 ? null : r.rawBytes(length);
}

/**
 * Zigzag varint of up to 64 bits (timestamp deltas may need more than the 32 bits of
 * `Reader.varint`). Values beyond 2^53 lose precision, which no length or delta here reaches.
 */
function readVarlong(r: Reader): number {
  let raw = 0;
  let scale = 1;
  for (let i = 0; i < 10; i++) {
    const b = r.int8() & 0xff;
    raw += (b & 0x7f) * scale;
    if ((b & 0x80) === 0) return raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2;
    scale *= 128;
  }
  throw new RecordBatchError("varint longer than 10 bytes");
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, "0")}`;
}
