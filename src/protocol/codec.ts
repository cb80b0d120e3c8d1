// Whole-frame decode and encode: size prefix, header and body, for requests and responses.
import { apiSpec } from "./registry.ts";
import {
  decodeRequestHeader,
  decodeResponseHeader,
  encodeRequestHeader,
  encodeResponseHeader,
  type RequestHeader,
  requestHeaderVersion,
  type ResponseHeader,
  responseHeaderVersion,
} from "./headers.ts";
import { type KeepEntry, ProtocolError, Reader, Writer } from "./wire.ts";

export class UnsupportedApiError extends ProtocolError {
  override name = "UnsupportedApiError";
}

export interface DecodedRequest<T = unknown> {
  header: RequestHeader;
  body: T;
}

export interface DecodedResponse<T = unknown> {
  header: ResponseHeader;
  body: T;
  /** Entries left out because `keep` refused them. */
  dropped: number;
}

/**
 * The most items (array elements, strings, tagged fields) one request may hold. Generous for
 * real clients (a commit or produce for tens of thousands of partitions), yet it keeps what a
 * 100 MiB frame of one-byte items can make kgate allocate to a few tens of MiB.
 */
export const MAX_DECODED_ITEMS_PER_REQUEST = 200_000;

export interface DecodeOptions {
  /** Ceiling on decoded items (see Reader); requests default to MAX_DECODED_ITEMS_PER_REQUEST. */
  maxItems?: number;
  /** Responses: named array entries this refuses are skipped, not decoded (see wire.DROPPED). */
  keep?: KeepEntry;
}

function specFor(apiKey: number, version: number) {
  const spec = apiSpec(apiKey);
  if (!spec) throw new UnsupportedApiError(`unknown api key ${apiKey}`);
  if (version < spec.minVersion || version > spec.maxVersion) {
    throw new UnsupportedApiError(`${spec.name} v${version} is outside the known versions ${spec.minVersion}-${spec.maxVersion}`);
  }
  return spec;
}

/** Names the message in an encoding failure (a field left out, a value of the wrong type). */
function encodeBody(encode: () => void, what: string): void {
  try {
    encode();
  } catch (e) {
    if (e instanceof ProtocolError) throw new ProtocolError(`${what}: ${e.message}`);
    if (e instanceof TypeError) throw new ProtocolError(`${what}: a struct or array is missing (${e.message})`);
    throw e;
  }
}

function finishFrame(w: Writer): Uint8Array[] {
  const chunks = w.toChunks();
  const first = chunks[0]!;
  new DataView(first.buffer, first.byteOffset, 4).setInt32(0, w.length - 4);
  return chunks;
}

/** Decodes a request frame (with its 4-byte size prefix). */
export function decodeRequest<T = unknown>(frame: Uint8Array, options: DecodeOptions = {}): DecodedRequest<T> {
  const r = new Reader(frame, 4, frame.length, options.maxItems ?? MAX_DECODED_ITEMS_PER_REQUEST);
  if (frame.length < 12) throw new ProtocolError(`request frame too short (${frame.length} bytes)`);
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const apiKey = view.getInt16(4);
  const version = view.getInt16(6);
  const spec = specFor(apiKey, version);
  const header = decodeRequestHeader(r, requestHeaderVersion(apiKey, version));
  const body = spec.request.decode(r, version) as T;
  if (r.remaining !== 0) throw new ProtocolError(`${spec.name} v${version} request has ${r.remaining} trailing bytes`);
  return { header, body };
}

/** Encodes a request as frame chunks (size prefix included). */
export function encodeRequest(header: RequestHeader, body: unknown): Uint8Array[] {
  const spec = specFor(header.apiKey, header.apiVersion);
  const w = new Writer();
  w.int32(0);
  encodeRequestHeader(w, requestHeaderVersion(header.apiKey, header.apiVersion), header);
  encodeBody(() => spec.request.encode(w, header.apiVersion, body), `${spec.name} v${header.apiVersion} request`);
  return finishFrame(w);
}

/** Decodes a response frame; the API and version come from the matching request. */
export function decodeResponse<T = unknown>(frame: Uint8Array, apiKey: number, version: number, options: DecodeOptions = {}): DecodedResponse<T> {
  const spec = specFor(apiKey, version);
  const r = new Reader(frame, 4, frame.length, options.maxItems);
  r.keep = options.keep;
  const header = decodeResponseHeader(r, responseHeaderVersion(apiKey, version));
  const body = spec.response.decode(r, version) as T;
  if (r.remaining !== 0) throw new ProtocolError(`${spec.name} v${version} response has ${r.remaining} trailing bytes`);
  return { header, body, dropped: r.dropped };
}

/**
 * How many top-level tagged fields a response frame carries, found by skipping its regular
 * fields (the generated skip<Message>ToTags) rather than decoding them: a Produce or Fetch
 * response names broker addresses only in such a field (NodeEndpoints, after a leader change).
 */
export function responseTopLevelTagCount(frame: Uint8Array, apiKey: number, version: number): number {
  const spec = specFor(apiKey, version);
  if (version < spec.flexibleMin) return 0;
  const r = new Reader(frame, 4, frame.length);
  decodeResponseHeader(r, responseHeaderVersion(apiKey, version));
  spec.response.skipToTags(r, version);
  return r.uvarint();
}

export function encodeResponse(apiKey: number, version: number, header: ResponseHeader, body: unknown): Uint8Array[] {
  const spec = specFor(apiKey, version);
  const w = new Writer();
  w.int32(0);
  encodeResponseHeader(w, responseHeaderVersion(apiKey, version), header);
  encodeBody(() => spec.response.encode(w, version, body), `${spec.name} v${version} response`);
  return finishFrame(w);
}
