// Reads `acks` from a Produce request without decoding it: acks=0 means the broker sends no
// response, so the session must not wait for one.
import { isFlexible, requestHeaderVersion } from "../protocol/headers.ts";
import { Reader } from "../protocol/wire.ts";

export function produceAcks(frame: Uint8Array, apiVersion: number): number {
  const r = new Reader(frame, 4 + 8);
  const headerVersion = requestHeaderVersion(0, apiVersion);
  r.nullableString(); // client id
  if (headerVersion >= 2) r.taggedFields(() => false);
  if (apiVersion >= 3) {
    if (isFlexible(0, apiVersion)) r.compactNullableString();
    else r.nullableString();
  }
  return r.int16();
}
