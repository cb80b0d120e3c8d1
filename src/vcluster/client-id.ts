// The client id the backing cluster sees for a tenant's request: `<vcluster>/<client id>`
// (`<vcluster>/` for a null id). Broker client-id quotas, request logs and metrics then tell
// tenants apart, and no tenant can pick a client id that spends another tenant's quota: the
// vcluster part is always kgate's, and a vcluster name (a DNS label) never contains '/'.
//
// A frame that is forwarded as it arrived gets a new header prefix spliced in front of its body
// bytes; the body is neither decoded nor copied. The client id sits at the same place in request
// header v1 and v2 (a non-compact nullable string after the correlation id); v2's tagged fields
// follow it and travel with the body.
import type { Tenant } from "./tenant.ts";

const CLIENT_ID_OFFSET = 12; // size prefix, api key, api version, correlation id
const MAX_CLIENT_ID_BYTES = 0x7fff; // int16 length
const SEPARATOR = "/";
const utf8 = new TextEncoder();

/** The tenant form of a client id, as a string (for requests kgate encodes itself). */
export function tenantClientId(tenant: Tenant, clientId: string | null): string {
  const id = `${tenant.name}${SEPARATOR}${clientId ?? ""}`;
  const bytes = utf8.encode(id);
  return bytes.length <= MAX_CLIENT_ID_BYTES ? id : new TextDecoder().decode(truncateUtf8(bytes, MAX_CLIENT_ID_BYTES));
}

/**
 * The same request frame with the tenant form of its client id: a fresh header prefix and a view
 * of the original bytes from the end of the old client id on.
 */
export function spliceTenantClientId(frame: Uint8Array, tenant: Tenant): Uint8Array[] {
  const oldLength = ((frame[CLIENT_ID_OFFSET]! << 8) | frame[CLIENT_ID_OFFSET + 1]!) << 16 >> 16; // int16
  const oldStart = CLIENT_ID_OFFSET + 2;
  const oldEnd = oldStart + Math.max(0, oldLength);
  if (frame.length < oldEnd) throw new RangeError(`request frame too short for its client id (${frame.length} bytes)`);
  const head = encodedHead(tenant);
  let old = frame.subarray(oldStart, oldEnd);
  if (head.length + old.length > MAX_CLIENT_ID_BYTES) old = truncateUtf8(old, MAX_CLIENT_ID_BYTES - head.length);
  const rest = frame.subarray(oldEnd);

  const idLength = head.length + old.length;
  const prefix = new Uint8Array(oldStart + idLength);
  prefix.set(frame.subarray(0, CLIENT_ID_OFFSET));
  const size = prefix.length - 4 + rest.length;
  prefix[0] = size >>> 24;
  prefix[1] = size >>> 16;
  prefix[2] = size >>> 8;
  prefix[3] = size;
  prefix[CLIENT_ID_OFFSET] = idLength >>> 8;
  prefix[CLIENT_ID_OFFSET + 1] = idLength;
  prefix.set(head, oldStart);
  prefix.set(old, oldStart + head.length);
  return rest.length > 0 ? [prefix, rest] : [prefix];
}

// Encoded once per Tenant object (one per bound connection), not once per request.
const heads = new WeakMap<Tenant, Uint8Array>();

function encodedHead(tenant: Tenant): Uint8Array {
  let head = heads.get(tenant);
  if (!head) {
    head = utf8.encode(`${tenant.name}${SEPARATOR}`);
    heads.set(tenant, head);
  }
  return head;
}

/** At most `max` bytes, cut before a UTF-8 continuation byte so no character is split. */
function truncateUtf8(bytes: Uint8Array, max: number): Uint8Array {
  if (bytes.length <= max) return bytes;
  let end = max;
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end);
}
