import { encodeBase64Url } from "./base64url.ts";

/** A random base64url string of `bytes` bytes from the platform CSPRNG (256 bits by default). */
export function randomSecret(bytes = 32): string {
  return encodeBase64Url(crypto.getRandomValues(new Uint8Array(bytes)));
}

/** A token id: 128 random bits are enough to never collide and short enough to type. */
export function randomTokenId(): string {
  return randomSecret(16);
}
