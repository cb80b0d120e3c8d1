const utf8 = new TextEncoder();

/**
 * Equality whose running time depends only on the lengths, never on where the inputs differ,
 * so a caller cannot guess a secret byte by byte from response times.
 */
export function constantTimeEqual(a: string | Uint8Array, b: string | Uint8Array): boolean {
  const x = typeof a === "string" ? utf8.encode(a) : a;
  const y = typeof b === "string" ? utf8.encode(b) : b;
  const length = Math.max(x.length, y.length);
  let diff = x.length ^ y.length;
  for (let i = 0; i < length; i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}
