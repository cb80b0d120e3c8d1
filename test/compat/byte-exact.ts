// Decodes and re-encodes every captured frame; a frame whose bytes differ is a mismatch.
import { decodeRequest, decodeResponse, encodeRequest, encodeResponse } from "../../src/protocol/codec.ts";
import { apiSpec } from "../../src/protocol/registry.ts";
import { concatBytes } from "../../src/protocol/wire.ts";
import type { CapturedExchange } from "../support/recording-relay.ts";

function same(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

export function byteExactReport(exchanges: CapturedExchange[]) {
  const pairs = new Set<string>();
  const mismatches: string[] = [];
  const unknown = new Set<string>();
  let frames = 0;
  for (const ex of exchanges) {
    const spec = apiSpec(ex.apiKey);
    const label = `${spec?.name ?? `api ${ex.apiKey}`} v${ex.apiVersion}`;
    if (!spec) {
      unknown.add(label);
      continue;
    }
    let exact = true;
    try {
      const req = decodeRequest(ex.request);
      if (!same(concatBytes(encodeRequest(req.header, req.body)), ex.request)) exact = false;
      frames++;
      if (ex.response) {
        const res = decodeResponse(ex.response, ex.apiKey, ex.apiVersion);
        if (!same(concatBytes(encodeResponse(ex.apiKey, ex.apiVersion, res.header, res.body)), ex.response)) exact = false;
        frames++;
      }
    } catch (err) {
      mismatches.push(`${label}: ${(err as Error).message}`);
      continue;
    }
    if (exact) pairs.add(label);
    else mismatches.push(`${label}: re-encoded bytes differ`);
  }
  const order = (s: string) => {
    const m = / v(\d+)$/.exec(s)!;
    return [s.slice(0, m.index), Number(m[1])] as const;
  };
  const sorted = [...pairs].sort((a, b) => {
    const [an, av] = order(a);
    const [bn, bv] = order(b);
    return an === bn ? av - bv : an.localeCompare(bn);
  });
  return { frames, pairs: sorted, mismatches, unknown: [...unknown] };
}
