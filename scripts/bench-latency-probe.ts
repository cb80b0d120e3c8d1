// The bench's latency probe: Kafka's perf tools report latency in whole milliseconds, too coarse
// for an overhead goal of half a millisecond. The probe times single requests at the client with
// microsecond resolution: at a fixed rate well below saturation, one 1 KiB record is produced
// (acks=-1) and then fetched back from its offset, each request timed from write to answer. The
// difference between a target and direct in the same run is kgate's overhead per round trip.
import { type FetchedRecords, PartitionLog } from "../src/client/partition-log.ts";
import type { SaslCredentials } from "../src/client/sasl-login.ts";
import { runtime } from "../src/runtime/index.ts";
import type { TlsClientOptions } from "../src/runtime/types.ts";

export interface ProbeTarget {
  bootstrap: string;
  sasl?: SaslCredentials;
  tls?: TlsClientOptions;
}

export interface ProbeResult {
  /** Produce round trips, microseconds. */
  produce: Percentiles;
  /** Fetch round trips (the record just produced), microseconds. */
  fetch: Percentiles;
  /** Produce + fetch of the same record, per record, microseconds. */
  both: Percentiles;
}

export interface Percentiles {
  p50: number;
  p99: number;
  count: number;
}

export async function latencyProbe(
  target: ProbeTarget,
  topic: string,
  options: { rate: number; count: number; recordSize: number },
): Promise<ProbeResult> {
  const [host, port] = splitHostPort(target.bootstrap.split(",")[0]!);
  const log = new PartitionLog({ runtime, bootstrap: [{ host, port }], sasl: target.sasl, tls: target.tls, topic, clientId: "kgate-bench-probe" });
  const value = new Uint8Array(options.recordSize).fill(120);
  const produceUs: number[] = [];
  const fetchUs: number[] = [];
  const intervalMs = 1000 / options.rate;
  const warmup = Math.min(200, Math.floor(options.count / 5));
  try {
    const start = performance.now();
    for (let i = 0; i < options.count + warmup; i++) {
      const due = start + i * intervalMs;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      const t0 = performance.now();
      const offset = await log.produce([{ key: null, value }]);
      const t1 = performance.now();
      const fetched: FetchedRecords = await log.fetch(offset, 0, 64 * 1024);
      const t2 = performance.now();
      if (fetched.batches.length === 0) throw new Error(`probe: fetch at offset ${offset} of ${topic} returned nothing`);
      if (i < warmup) continue; // connections, leader lookup, JIT
      produceUs.push((t1 - t0) * 1000);
      fetchUs.push((t2 - t1) * 1000);
    }
  } finally {
    log.close();
  }
  return { produce: percentiles(produceUs), fetch: percentiles(fetchUs), both: percentiles(produceUs.map((p, i) => p + fetchUs[i]!)) };
}

function percentiles(values: number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  return { p50: Math.round(at(0.5)), p99: Math.round(at(0.99)), count: sorted.length };
}

function splitHostPort(address: string): [string, number] {
  const i = address.lastIndexOf(":");
  return [address.slice(0, i), Number(address.slice(i + 1))];
}
