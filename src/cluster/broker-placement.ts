// Which kgate node advertises which backing broker in cluster mode (`listener.advertise: cluster`).
// Rendezvous hashing: every node computes the same answer from the same set of live nodes, with no
// coordination, and when a node leaves only the brokers it advertised move (to the survivors).

/** FNV-1a, 32 bits: small, fast and well spread for short keys; not a security boundary. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  // A final avalanche (murmur3's fmix32), so that keys differing in the last character spread too.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}

/** The node (by id) that advertises `brokerId`: the highest score over the live nodes; ties by id. */
export function placeBroker(brokerId: number, liveNodeIds: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestScore = -1;
  for (const node of liveNodeIds) {
    const score = fnv1a(`${node}/${brokerId}`);
    if (score > bestScore || (score === bestScore && best !== undefined && node < best)) {
      best = node;
      bestScore = score;
    }
  }
  return best;
}
