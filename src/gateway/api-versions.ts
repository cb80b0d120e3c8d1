// ApiVersions through kgate: the broker's answer clamped to what kgate's codecs know (and, in a
// virtual cluster, to what kgate rewrites completely).
import { decodeResponse, encodeResponse } from "../protocol/codec.ts";
import type { ResponseRewrite } from "./session-policy.ts";
import type { ApiVersion, ApiVersionsResponse } from "../protocol/messages/api-versions-response.ts";
import { defaultApiVersionsResponse } from "../protocol/messages/api-versions-response.ts";
import { apiSpec } from "../protocol/registry.ts";
import { ApiKey } from "../protocol/messages/api-keys.ts";
import { ErrorCode } from "../protocol/error-codes.ts";

export const API_VERSIONS_KEY = ApiKey.ApiVersions;
const UNSUPPORTED_VERSION = ErrorCode.UNSUPPORTED_VERSION;

/** Versions of `apiKey` kgate may advertise; `allow` narrows them further (virtual clusters). */
export type VersionFilter = (apiKey: number) => { min: number; max: number } | null;

/**
 * Versions kgate offers below what its codecs know. Fetch v16+ responses may end with broker
 * addresses (NodeEndpoints, a trailing tagged field) that kgate must rewrite, so such a response
 * could only be forwarded once all of it — records included — had arrived. Up to v15 a fetch
 * response with nothing to rewrite streams through as it arrives. Clients lose nothing but the
 * KIP-951 shortcut of learning a new leader without a metadata request.
 */
const OFFERED_MAX_VERSION: ReadonlyMap<number, number> = new Map([[1, 15]]);

export function clampApiVersions(body: ApiVersionsResponse, allow?: VersionFilter): void {
  const kept: ApiVersion[] = [];
  for (const entry of body.apiKeys) {
    const spec = apiSpec(entry.apiKey);
    if (!spec) continue;
    let min = Math.max(entry.minVersion, spec.minVersion);
    let max = Math.min(entry.maxVersion, spec.maxVersion, OFFERED_MAX_VERSION.get(entry.apiKey) ?? Infinity);
    const extra = allow?.(entry.apiKey);
    if (allow && !extra) continue;
    if (extra) {
      min = Math.max(min, extra.min);
      max = Math.min(max, extra.max);
    }
    if (min > max) continue;
    entry.minVersion = min;
    entry.maxVersion = max;
    kept.push(entry);
  }
  body.apiKeys = kept;
}

/**
 * The answer to an ApiVersions request newer than kgate knows, as a broker gives it: version 0,
 * UNSUPPORTED_VERSION, and the ApiVersions range so the client retries with one it shares.
 */
export function unsupportedApiVersionsResponse(correlationId: number): Uint8Array[] {
  const spec = apiSpec(API_VERSIONS_KEY)!;
  const body = defaultApiVersionsResponse();
  body.errorCode = UNSUPPORTED_VERSION;
  body.apiKeys = [{ apiKey: API_VERSIONS_KEY, minVersion: spec.minVersion, maxVersion: spec.maxVersion }];
  return encodeResponse(API_VERSIONS_KEY, 0, { correlationId }, body);
}

/**
 * The rewrite of an ApiVersions response: clamp (and `adjust`, e.g. to add the SASL APIs kgate
 * answers itself). A broker that rejects the request's version answers in v0 with the error
 * code first; that answer passes through untouched.
 */
export function apiVersionsRewrite(apiVersion: number, allow?: VersionFilter, adjust?: (body: ApiVersionsResponse) => void): ResponseRewrite {
  return (frame) => {
    if (frame.length >= 10 && new DataView(frame.buffer, frame.byteOffset).getInt16(8) !== 0) return frame;
    const { header, body } = decodeResponse<ApiVersionsResponse>(frame, API_VERSIONS_KEY, apiVersion);
    clampApiVersions(body, allow);
    adjust?.(body);
    return encodeResponse(API_VERSIONS_KEY, apiVersion, header, body);
  };
}
