// Remembers Hi(password, salt, i) for kgate's own SCRAM logins to the backing cluster. A user's
// salt and iteration count stay the same until its credential changes, so every upstream login
// of a vcluster with backing ACLs (one per client connection) would otherwise spend a PBKDF2
// (about 6 ms of CPU for SCRAM-SHA-512 at 4096 iterations) on the same answer; a connection
// storm of one tenant would take that CPU from every other. The cache lives in memory only,
// next to the passwords kgate holds anyway.
import { pbkdf2 } from "../sasl/scram-primitives.ts";

const MAX_ENTRIES = 4096;
const cache = new Map<string, Promise<Uint8Array<ArrayBuffer>>>();

function keyOf(hash: string, bits: number, password: Uint8Array, salt: Uint8Array, iterations: number): string {
  const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  return `${hash}/${bits}/${iterations}/${hex(salt)}/${hex(password)}`;
}

/** PBKDF2 with memory: the same inputs give the same bytes without deriving them again. */
export const cachedSaltPassword: typeof pbkdf2 = (hash, bits, password, salt, iterations) => {
  const key = keyOf(hash, bits, password, salt, iterations);
  let found = cache.get(key);
  if (!found) {
    found = pbkdf2(hash, bits, password, salt, iterations);
    found.catch(() => cache.delete(key));
    // Bounded: past the limit start again (entries are cheap to derive once more).
    if (cache.size >= MAX_ENTRIES) cache.clear();
    cache.set(key, found);
  }
  // A copy each time: callers may not share (or change) one buffer.
  return found.then((bytes) => new Uint8Array(bytes));
};
