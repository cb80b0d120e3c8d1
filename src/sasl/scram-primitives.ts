// SCRAM (RFC 5802, RFC 7677) pieces shared by kgate's client side (its login to the backing
// cluster) and its server side (clients logging in to kgate): WebCrypto only, no I/O.

export type ScramMechanism = "SCRAM-SHA-256" | "SCRAM-SHA-512";

/** A peer refused us (`e=...`), or sent something that does not check out. */
export class ScramError extends Error {
  override name = "ScramError";
}

export const HASHES: Record<ScramMechanism, { hash: "SHA-256" | "SHA-512"; bits: number }> = {
  "SCRAM-SHA-256": { hash: "SHA-256", bits: 256 },
  "SCRAM-SHA-512": { hash: "SHA-512", bits: 512 },
};
/** No channel binding: the gs2 header Kafka clients send. */
export const GS2_HEADER = "n,,";

export const encoder = new TextEncoder();
export const decoder = new TextDecoder();

/** RFC 5802 saslname: ',' and '=' would break the attribute syntax. */
export function escapeSaslName(name: string): string {
  return name.replaceAll("=", "=3D").replaceAll(",", "=2C");
}

/** `a=1,b=2` → map. Values may contain '=' (base64), so split at the first one only. */
export function parseAttributes(message: string): Map<string, string> {
  const attrs = new Map<string, string>();
  for (const part of message.split(",")) {
    const eq = part.indexOf("=");
    if (eq !== 1) throw new ScramError(`malformed SCRAM attribute: ${JSON.stringify(part.slice(0, 40))}`);
    attrs.set(part[0]!, part.slice(2));
  }
  return attrs;
}

export function required(attrs: Map<string, string>, key: string): string {
  const value = attrs.get(key);
  if (value === undefined || value === "") throw new ScramError(`SCRAM message lacks ${key}=`);
  return value;
}

export async function pbkdf2(
  hash: string,
  bits: number,
  password: Uint8Array<ArrayBuffer>,
  salt: Uint8Array<ArrayBuffer>,
  iterations: number,
): Promise<Uint8Array<ArrayBuffer>> {
  const key = await crypto.subtle.importKey("raw", password, "PBKDF2", false, ["deriveBits"]);
  return new Uint8Array(await crypto.subtle.deriveBits({ name: "PBKDF2", hash, salt, iterations }, key, bits));
}

export async function hmac(hash: string, keyBytes: Uint8Array<ArrayBuffer>, message: string): Promise<Uint8Array<ArrayBuffer>> {
  const key = await crypto.subtle.importKey("raw", keyBytes, { name: "HMAC", hash }, false, ["sign"]);
  return new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(message)));
}

export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  let diff = 0;
  for (let i = 0; i < a.byteLength; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

export function randomNonce(): string {
  // base64 of random bytes is printable and never contains ','.
  return toBase64(crypto.getRandomValues(new Uint8Array(24)));
}

export function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

export function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  let binary: string;
  try {
    binary = atob(text);
  } catch {
    throw new ScramError("SCRAM message has invalid base64");
  }
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}
