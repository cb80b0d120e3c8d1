// Request and response headers (RequestHeader v0-2, ResponseHeader v0-1). Hand-written: the
// header's version is not the API's, and ClientId stays a non-compact string even in v2.
import { apiSpec } from "./registry.ts";
import { ProtocolError, type Reader, type UnknownTag, type Writer, writeTaggedFields } from "./wire.ts";
import { ApiKey } from "./messages/api-keys.ts";

export interface RequestHeader {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
  _unknownTags?: UnknownTag[];
}

export interface ResponseHeader {
  correlationId: number;
  _unknownTags?: UnknownTag[];
}

const API_VERSIONS_KEY = ApiKey.ApiVersions;
const CONTROLLED_SHUTDOWN_KEY = 7;

export function isFlexible(apiKey: number, apiVersion: number): boolean {
  const spec = apiSpec(apiKey);
  if (!spec) throw new ProtocolError(`unknown api key ${apiKey}`);
  return apiVersion >= spec.flexibleMin;
}

export function requestHeaderVersion(apiKey: number, apiVersion: number): number {
  if (apiKey === CONTROLLED_SHUTDOWN_KEY && apiVersion === 0) return 0;
  return isFlexible(apiKey, apiVersion) ? 2 : 1;
}

export function responseHeaderVersion(apiKey: number, apiVersion: number): number {
  // ApiVersions responses keep header v0 so that a client can parse them before it knows
  // which versions the broker supports.
  if (apiKey === API_VERSIONS_KEY) return 0;
  return isFlexible(apiKey, apiVersion) ? 1 : 0;
}

export function decodeRequestHeader(r: Reader, headerVersion: number): RequestHeader {
  const apiKey = r.int16();
  const apiVersion = r.int16();
  const correlationId = r.int32();
  const clientId = headerVersion >= 1 ? r.nullableString() : null;
  const h: RequestHeader = { apiKey, apiVersion, correlationId, clientId };
  if (headerVersion >= 2) {
    const tags = r.taggedFields(() => false);
    if (tags) h._unknownTags = tags;
  }
  return h;
}

export function encodeRequestHeader(w: Writer, headerVersion: number, h: RequestHeader): void {
  w.int16(h.apiKey);
  w.int16(h.apiVersion);
  w.int32(h.correlationId);
  if (headerVersion >= 1) w.nullableString(h.clientId);
  if (headerVersion >= 2) writeTaggedFields(w, [], h._unknownTags);
}

export function decodeResponseHeader(r: Reader, headerVersion: number): ResponseHeader {
  const h: ResponseHeader = { correlationId: r.int32() };
  if (headerVersion >= 1) {
    const tags = r.taggedFields(() => false);
    if (tags) h._unknownTags = tags;
  }
  return h;
}

export function encodeResponseHeader(w: Writer, headerVersion: number, h: ResponseHeader): void {
  w.int32(h.correlationId);
  if (headerVersion >= 1) writeTaggedFields(w, [], h._unknownTags);
}

/** Reads apiKey, apiVersion and correlationId at their fixed offsets in a request frame. */
export function peekRequest(frame: Uint8Array): { apiKey: number; apiVersion: number; correlationId: number } {
  if (frame.length < 12) throw new ProtocolError(`request frame too short for a header (${frame.length} bytes)`);
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  return { apiKey: view.getInt16(4), apiVersion: view.getInt16(6), correlationId: view.getInt32(8) };
}
