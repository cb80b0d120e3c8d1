// Kafka wire primitives: a bounds-checked reader over one frame and a chunked writer.
// Byte fields (records, bytes) are returned as subarray views of the frame and written back as
// their own chunks, so large payloads are never copied by the codec.

export class ProtocolError extends Error {
  override name = "ProtocolError";
}

/** A frame holds more items than one request may decode (invariant 4): refused, not decoded. */
export class DecodeLimitError extends ProtocolError {
  override name = "DecodeLimitError";
}

const utf8Decoder = new TextDecoder("utf-8", { fatal: false });
const utf8Encoder = new TextEncoder();
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/** Decides, while a response is decoded, whether an entry named `value` stays (see DROPPED). */
export type KeepEntry = (kind: "topicName" | "groupId" | "transactionalId", value: string) => boolean;

/**
 * What a struct decoder returns for an array entry that `Reader.keep` refused: the rest of the
 * entry is skipped (lengths only, nothing allocated) and the array reading it leaves it out. A
 * tenant's "everything" request (all topics, all groups) thus costs kgate little for every
 * entry of another tenant.
 */
export const DROPPED: unique symbol = Symbol("dropped");

export interface UnknownTag {
  tag: number;
  data: Uint8Array;
}

export class Reader {
  readonly buf: Uint8Array;
  readonly view: DataView;
  pos: number;
  readonly end: number;
  /** Items (array elements, strings, tagged fields) this reader may still decode. */
  private itemBudget: number;
  /** Set for responses kgate filters; generated decoders ask it about each named entry. */
  keep: KeepEntry | undefined = undefined;
  /** Entries `keep` refused so far. */
  dropped = 0;

  /**
   * `maxItems` caps what one frame may make kgate allocate: every array element, string and
   * tagged field counts, so memory and time stay linear in the frame with a fixed ceiling.
   */
  constructor(buf: Uint8Array, start = 0, end = buf.length, private readonly maxItems = Infinity) {
    this.buf = buf;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.pos = start;
    this.end = end;
    this.itemBudget = maxItems;
  }

  /** Charges `n` items against the budget; throws before anything is allocated for them. */
  countItems(n: number): void {
    this.itemBudget -= n;
    if (this.itemBudget < 0) {
      throw new DecodeLimitError(`more than ${this.maxItems} items (array elements, strings, tagged fields) in one frame`);
    }
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  private need(n: number): number {
    const p = this.pos;
    if (n < 0 || p + n > this.end) {
      throw new ProtocolError(`truncated: need ${n} bytes at offset ${p}, have ${this.end - p}`);
    }
    this.pos = p + n;
    return p;
  }

  int8(): number {
    return this.view.getInt8(this.need(1));
  }
  bool(): boolean {
    return this.view.getInt8(this.need(1)) !== 0;
  }
  int16(): number {
    return this.view.getInt16(this.need(2));
  }
  uint16(): number {
    return this.view.getUint16(this.need(2));
  }
  int32(): number {
    return this.view.getInt32(this.need(4));
  }
  uint32(): number {
    return this.view.getUint32(this.need(4));
  }
  int64(): bigint {
    return this.view.getBigInt64(this.need(8));
  }
  float64(): number {
    return this.view.getFloat64(this.need(8));
  }

  uvarint(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = this.buf[this.need(1)]!;
      if (shift === 28 && b > 0x0f) throw new ProtocolError("varint too long");
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
      shift += 7;
    }
  }

  varint(): number {
    const u = this.uvarint();
    return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
  }

  uuid(): string {
    const p = this.need(16);
    let s = "";
    for (let i = 0; i < 16; i++) s += HEX[this.buf[p + i]!];
    return s;
  }

  private text(len: number): string {
    const p = this.need(len);
    this.countItems(1);
    return utf8Decoder.decode(this.buf.subarray(p, p + len));
  }

  string(): string {
    const len = this.int16();
    if (len < 0) throw new ProtocolError("null string in non-nullable field");
    return this.text(len);
  }
  nullableString(): string | null {
    const len = this.int16();
    return len < 0 ? null : this.text(len);
  }
  compactString(): string {
    const len = this.uvarint() - 1;
    if (len < 0) throw new ProtocolError("null string in non-nullable field");
    return this.text(len);
  }
  compactNullableString(): string | null {
    const len = this.uvarint() - 1;
    return len < 0 ? null : this.text(len);
  }

  /** A view into the frame: never copied. */
  rawBytes(len: number): Uint8Array {
    const p = this.need(len);
    return this.buf.subarray(p, p + len);
  }
  bytes(): Uint8Array {
    const len = this.int32();
    if (len < 0) throw new ProtocolError("null bytes in non-nullable field");
    return this.rawBytes(len);
  }
  nullableBytes(): Uint8Array | null {
    const len = this.int32();
    return len < 0 ? null : this.rawBytes(len);
  }
  compactBytes(): Uint8Array {
    const len = this.uvarint() - 1;
    if (len < 0) throw new ProtocolError("null bytes in non-nullable field");
    return this.rawBytes(len);
  }
  compactNullableBytes(): Uint8Array | null {
    const len = this.uvarint() - 1;
    return len < 0 ? null : this.rawBytes(len);
  }

  skip(n: number): void {
    this.need(n);
  }
  skipString(compact: boolean): void {
    const len = compact ? this.uvarint() - 1 : this.int16();
    if (len > 0) this.need(len);
  }
  skipBytes(compact: boolean): void {
    const len = compact ? this.uvarint() - 1 : this.int32();
    if (len > 0) this.need(len);
  }
  skipTaggedFields(): void {
    const count = this.uvarint();
    for (let i = 0; i < count; i++) {
      this.uvarint();
      this.need(this.uvarint());
    }
  }

  /** Array length; -1 means null. Guards against lengths the frame cannot hold. */
  arrayLength(compact: boolean): number {
    const n = compact ? this.uvarint() - 1 : this.int32();
    // Checked before anything is allocated: a count the rest of the frame cannot hold (one
    // byte per element at least) is refused unread, and the item budget caps the rest.
    if (n > this.end - this.pos) throw new ProtocolError(`array length ${n} exceeds frame`);
    if (n > 0) this.countItems(n);
    return n;
  }

  /** Reads a tagged-field section; `known` returns false for tags it does not decode. */
  taggedFields(known: (tag: number, r: Reader, size: number) => boolean): UnknownTag[] | undefined {
    const count = this.uvarint();
    if (count > this.end - this.pos) throw new ProtocolError(`tagged field count ${count} exceeds frame`);
    if (count > 0) this.countItems(count);
    let unknown: UnknownTag[] | undefined;
    for (let i = 0; i < count; i++) {
      const tag = this.uvarint();
      const size = this.uvarint();
      const start = this.pos;
      if (size > this.end - start) throw new ProtocolError(`tagged field ${tag} size ${size} exceeds frame`);
      if (known(tag, this, size)) {
        if (this.pos !== start + size) throw new ProtocolError(`tagged field ${tag} size mismatch`);
      } else {
        (unknown ??= []).push({ tag, data: this.rawBytes(size) });
      }
    }
    return unknown;
  }
}

const UUID_HEX = /^[0-9a-fA-F]{32}$/;

function missing(type: string, v: unknown): ProtocolError {
  return new ProtocolError(`${v === undefined ? "missing value" : `${typeof v} value`} in a ${type} field`);
}

function number(v: unknown, type: string): void {
  if (typeof v !== "number") throw missing(type, v);
}

const SMALL_CHUNK = 8 * 1024;
// Byte payloads at least this large become their own output chunk instead of being copied.
const ZERO_COPY_THRESHOLD = 4 * 1024;

export class Writer {
  private chunks: Uint8Array[] = [];
  private buf: Uint8Array;
  private view: DataView;
  private pos = 0;
  private flushedBytes = 0;

  constructor(initial = 256) {
    this.buf = new Uint8Array(initial);
    this.view = new DataView(this.buf.buffer);
  }

  get length(): number {
    return this.flushedBytes + this.pos;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const size = Math.max(this.buf.length * 2, this.pos + n, SMALL_CHUNK);
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  // A DataView writes undefined as 0 and `v ? 1 : 0` turns a misspelt boolean into false: a
  // missing field must fail the encoding instead of going out as a default nobody chose.
  int8(v: number): void {
    number(v, "int8");
    this.ensure(1);
    this.view.setInt8(this.pos, v);
    this.pos += 1;
  }
  bool(v: boolean): void {
    if (typeof v !== "boolean") throw missing("bool", v);
    this.ensure(1);
    this.view.setInt8(this.pos, v ? 1 : 0);
    this.pos += 1;
  }
  int16(v: number): void {
    number(v, "int16");
    this.ensure(2);
    this.view.setInt16(this.pos, v);
    this.pos += 2;
  }
  uint16(v: number): void {
    number(v, "uint16");
    this.ensure(2);
    this.view.setUint16(this.pos, v);
    this.pos += 2;
  }
  int32(v: number): void {
    number(v, "int32");
    this.ensure(4);
    this.view.setInt32(this.pos, v);
    this.pos += 4;
  }
  uint32(v: number): void {
    number(v, "uint32");
    this.ensure(4);
    this.view.setUint32(this.pos, v);
    this.pos += 4;
  }
  int64(v: bigint): void {
    if (typeof v !== "bigint") throw missing("int64", v);
    this.ensure(8);
    this.view.setBigInt64(this.pos, v);
    this.pos += 8;
  }
  float64(v: number): void {
    number(v, "float64");
    this.ensure(8);
    this.view.setFloat64(this.pos, v);
    this.pos += 8;
  }

  uvarint(v: number): void {
    this.ensure(5);
    while (v >= 0x80) {
      this.buf[this.pos++] = (v & 0x7f) | 0x80;
      v = Math.floor(v / 128);
    }
    this.buf[this.pos++] = v;
  }
  varint(v: number): void {
    this.uvarint(v >= 0 ? v * 2 : -v * 2 - 1);
  }

  uuid(hex: string): void {
    if (typeof hex !== "string" || !UUID_HEX.test(hex)) throw new ProtocolError(`uuid must be 32 hex digits: ${hex}`);
    this.ensure(16);
    for (let i = 0; i < 16; i++) this.buf[this.pos++] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  }

  private utf8(s: string): Uint8Array {
    if (typeof s !== "string") throw new ProtocolError("null or non-string value in a string field");
    return utf8Encoder.encode(s);
  }
  string(s: string): void {
    const b = this.utf8(s);
    this.int16(b.length);
    this.raw(b);
  }
  nullableString(s: string | null): void {
    if (s === null) this.int16(-1);
    else this.string(s);
  }
  compactString(s: string): void {
    const b = this.utf8(s);
    this.uvarint(b.length + 1);
    this.raw(b);
  }
  compactNullableString(s: string | null): void {
    if (s === null) this.uvarint(0);
    else this.compactString(s);
  }

  bytes(b: Uint8Array): void {
    this.int32(b.length);
    this.raw(b);
  }
  nullableBytes(b: Uint8Array | null): void {
    if (b === null) this.int32(-1);
    else this.bytes(b);
  }
  compactBytes(b: Uint8Array): void {
    this.uvarint(b.length + 1);
    this.raw(b);
  }
  compactNullableBytes(b: Uint8Array | null): void {
    if (b === null) this.uvarint(0);
    else this.compactBytes(b);
  }

  arrayLength(n: number | null, compact: boolean): void {
    if (compact) this.uvarint(n === null ? 0 : n + 1);
    else this.int32(n === null ? -1 : n);
  }

  /** Appends bytes; large payloads are referenced, not copied. */
  raw(b: Uint8Array): void {
    if (b.length >= ZERO_COPY_THRESHOLD) {
      this.flush();
      this.chunks.push(b);
      this.flushedBytes += b.length;
      return;
    }
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** Appends another writer's output (used for tagged fields, whose size precedes them). */
  append(other: Writer): void {
    for (const c of other.toChunks()) this.raw(c);
  }

  private flush(): void {
    if (this.pos === 0) return;
    this.chunks.push(this.buf.subarray(0, this.pos));
    this.flushedBytes += this.pos;
    // Start a fresh buffer: the flushed one is referenced by `chunks`.
    this.buf = new Uint8Array(Math.max(this.buf.length - this.pos, 256));
    this.view = new DataView(this.buf.buffer);
    this.pos = 0;
  }

  toChunks(): Uint8Array[] {
    this.flush();
    return this.chunks;
  }

  /** One contiguous copy; for callers that need a single buffer. */
  toBytes(): Uint8Array {
    const chunks = this.toChunks();
    if (chunks.length === 1) return chunks[0]!;
    return concatBytes(chunks);
  }
}

export function concatBytes(chunks: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const c of chunks) total += c.length;
  const out = new Uint8Array(total);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}

/** Writes a tagged-field section from (tag, encoded value) entries, sorted by tag as Kafka requires. */
export function writeTaggedFields(w: Writer, known: Array<[number, Writer]>, unknown: UnknownTag[] | undefined): void {
  const entries: Array<[number, Uint8Array[]]> = known.map(([tag, tw]) => [tag, tw.toChunks()]);
  if (unknown) { for (const u of unknown) entries.push([u.tag, [u.data]]); }
  if (entries.length > 1) entries.sort((a, b) => a[0] - b[0]);
  w.uvarint(entries.length);
  for (const [tag, chunks] of entries) {
    let size = 0;
    for (const c of chunks) size += c.length;
    w.uvarint(tag);
    w.uvarint(size);
    for (const c of chunks) w.raw(c);
  }
}

export const EMPTY_BYTES: Uint8Array = new Uint8Array(0);

export function readArray<T>(r: Reader, compact: boolean, element: (r: Reader) => T): T[] {
  const n = r.arrayLength(compact);
  if (n < 0) throw new ProtocolError("null array in non-nullable field");
  return readElements(r, n, element);
}

export function readNullableArray<T>(r: Reader, compact: boolean, element: (r: Reader) => T): T[] | null {
  const n = r.arrayLength(compact);
  if (n < 0) return null;
  return readElements(r, n, element);
}

function readElements<T>(r: Reader, n: number, element: (r: Reader) => T): T[] {
  const out = new Array<T>(n);
  let kept = 0;
  for (let i = 0; i < n; i++) {
    const e = element(r);
    if ((e as unknown) !== DROPPED) out[kept++] = e;
  }
  if (kept < n) out.length = kept;
  return out;
}

export function writeArray<T>(w: Writer, items: readonly T[] | null, compact: boolean, element: (w: Writer, e: T) => void): void {
  if (items === undefined) throw new ProtocolError("missing value in an array field");
  if (items === null) {
    w.arrayLength(null, compact);
    return;
  }
  w.arrayLength(items.length, compact);
  for (let i = 0; i < items.length; i++) element(w, items[i]!);
}
