// Where a response carries throttle_time_ms, and how to raise it to kgate's throttle (the larger
// of the broker's and kgate's, as the broker takes the larger of its quotas' throttles).
//
// In most responses throttle_time_ms is the first body field: it is patched in place at its
// offset, in the first bytes of the frame, so a response streamed through as received (a large
// Fetch) carries it too. Elsewhere (Produce has it last) the frame is decoded and encoded again,
// which only happens to a response that is throttled.
import { decodeResponse, encodeResponse } from "./codec.ts";
import { responseHeaderVersion } from "./headers.ts";
import { apiSpec } from "./registry.ts";
import { concatBytes, Reader, Writer } from "./wire.ts";

type Frame = Uint8Array | Uint8Array[];

const SENTINEL = 0x5a3c_7e19;
const firstFieldCache = new Map<number, boolean>();
const hasFieldCache = new Map<number, boolean>();

/** Whether throttle_time_ms is the first body field of this API version's response. */
export function throttleTimeIsFirst(apiKey: number, version: number): boolean {
  const key = apiKey * 1024 + version;
  let first = firstFieldCache.get(key);
  if (first === undefined) {
    first = false;
    const spec = apiSpec(apiKey);
    if (spec && version >= spec.minVersion && version <= spec.maxVersion) {
      const body = spec.response.create() as Record<string, unknown>;
      if ("throttleTimeMs" in body) {
        body.throttleTimeMs = SENTINEL;
        const w = new Writer();
        spec.response.encode(w, version, body);
        const bytes = concatBytes(w.toChunks());
        first = bytes.length >= 4 && new DataView(bytes.buffer, bytes.byteOffset).getInt32(0) === SENTINEL;
      }
    }
    firstFieldCache.set(key, first);
  }
  return first;
}

/** Whether this API version's response has a throttle_time_ms at all. */
function hasThrottleTime(apiKey: number, version: number): boolean {
  if (throttleTimeIsFirst(apiKey, version)) return true;
  const key = apiKey * 1024 + version;
  let has = hasFieldCache.get(key);
  if (has === undefined) hasFieldCache.set(key, has = throttleFieldEncoded(apiKey, version));
  return has;
}

/** Whether the field is on the wire in this version: a message differing only in it encodes differently. */
function throttleFieldEncoded(apiKey: number, version: number): boolean {
  const spec = apiSpec(apiKey);
  if (!spec || version < spec.minVersion || version > spec.maxVersion) return false;
  if (!("throttleTimeMs" in (spec.response.create() as object))) return false;
  const a = spec.response.create() as Record<string, unknown>;
  const b = { ...a, throttleTimeMs: SENTINEL };
  const wa = new Writer();
  const wb = new Writer();
  spec.response.encode(wa, version, a);
  spec.response.encode(wb, version, b);
  const x = concatBytes(wa.toChunks());
  const y = concatBytes(wb.toChunks());
  return x.length !== y.length || x.some((byte, i) => byte !== y[i]);
}

/**
 * Offset of throttle_time_ms in a response frame (size prefix included) whose first body field it
 * is, or -1 when `head` is too short to tell.
 */
function throttleTimeOffset(head: Uint8Array, apiKey: number, version: number): number {
  try {
    const r = new Reader(head, 8); // size prefix, correlation id
    if (responseHeaderVersion(apiKey, version) >= 1) r.taggedFields(() => false);
    return r.pos + 4 <= head.length ? r.pos : -1;
  } catch {
    return -1;
  }
}

/**
 * Raises throttle_time_ms in place in the first bytes of a response (for APIs where it is the
 * first field); returns the value now in the frame, or -1 when it could not be patched.
 */
export function raiseThrottleTimeInPlace(head: Uint8Array, apiKey: number, version: number, throttleMs: number): number {
  if (!throttleTimeIsFirst(apiKey, version)) return -1;
  const offset = throttleTimeOffset(head, apiKey, version);
  if (offset < 0) return -1;
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const value = Math.max(view.getInt32(offset), throttleMs);
  view.setInt32(offset, value);
  return value;
}

/** A response frame with throttle_time_ms at least `throttleMs` (unchanged when it has none). */
export function withThrottleTime(frame: Frame, apiKey: number, version: number, throttleMs: number): Frame {
  if (throttleMs <= 0) return frame;
  const first = frame instanceof Uint8Array ? frame : frame[0];
  if (first && raiseThrottleTimeInPlace(first, apiKey, version, throttleMs) >= 0) return frame;
  if (!hasThrottleTime(apiKey, version)) return frame;
  const whole = frame instanceof Uint8Array ? frame : concatBytes(frame);
  const { header, body } = decodeResponse<Record<string, unknown>>(whole, apiKey, version);
  body.throttleTimeMs = Math.max(body.throttleTimeMs as number, throttleMs);
  return encodeResponse(apiKey, version, header, body);
}
