// A response that refuses a whole request with one error code, for APIs whose response has a
// top-level error code in that version. Others cannot carry a refusal; the caller closes.
import { encodeResponse } from "./codec.ts";
import { apiSpec } from "./registry.ts";
import { Reader, Writer } from "./wire.ts";

const hasTopLevelError = new Map<number, boolean>();

function topLevelErrorExists(apiKey: number, version: number): boolean {
  const key = apiKey * 1000 + version;
  let known = hasTopLevelError.get(key);
  if (known === undefined) {
    // Whether the field exists at this version: set it, round-trip, see if it survives.
    const spec = apiSpec(apiKey)!;
    const probe = spec.response.create() as Record<string, unknown>;
    known = "errorCode" in probe;
    if (known) {
      probe.errorCode = 1;
      const w = new Writer();
      spec.response.encode(w, version, probe);
      const back = spec.response.decode(new Reader(w.toBytes()), version) as Record<string, unknown>;
      known = back.errorCode === 1;
    }
    hasTopLevelError.set(key, known);
  }
  return known;
}

export function errorResponse(apiKey: number, version: number, correlationId: number, errorCode: number, message: string): Uint8Array[] | null {
  const spec = apiSpec(apiKey);
  if (!spec || version < spec.minVersion || version > spec.maxVersion || !topLevelErrorExists(apiKey, version)) return null;
  const body = spec.response.create() as Record<string, unknown>;
  body.errorCode = errorCode;
  if ("errorMessage" in body) body.errorMessage = message;
  return encodeResponse(apiKey, version, { correlationId }, body);
}
