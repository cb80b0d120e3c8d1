// Per-vcluster live numbers for the console's chart: a bounded history of rates, sampled from the
// metrics exposition every few seconds. Read from the exposition text (not the registry's
// internals) so that it keeps working whatever implements /metrics, as long as the series
// names stay: kgate_connections, kgate_bytes_in_total, kgate_bytes_out_total,
// kgate_requests_total (and any *throttle* series with a vcluster label).
import { parsePrometheusText, type Sample } from "../cli/prometheus-text.ts";
import type { MetricsSource } from "./metrics.ts";

export interface LivePoint {
  /** Milliseconds since the epoch at the end of the interval. */
  readonly at: number;
  readonly connections: number;
  readonly bytesInPerSecond: number;
  readonly bytesOutPerSecond: number;
  readonly requestsPerSecond: number;
  readonly produceRequestsPerSecond: number;
  readonly fetchRequestsPerSecond: number;
  /** Gateway-wide: connections that ended in an error, and refused logins (not per vcluster). */
  readonly gatewayErrorsPerSecond: number;
  /** Null while no throttling series exists for the vcluster. */
  readonly throttledPerSecond: number | null;
}

interface Totals {
  connections: number;
  bytesIn: number;
  bytesOut: number;
  requests: number;
  produce: number;
  fetch: number;
  throttled: number | null;
}

interface Snapshot {
  readonly at: number;
  readonly perVcluster: Map<string, Totals>;
  readonly gatewayErrors: number;
}

export interface LiveStatsOptions {
  readonly intervalMs?: number;
  /** Points kept per vcluster: with the default interval, the last five minutes. */
  readonly keep?: number;
  readonly clock?: () => number;
}

export const LIVE_STATS_DEFAULTS = { intervalMs: 2000, keep: 150 } as const;

const emptyTotals = (): Totals => ({ connections: 0, bytesIn: 0, bytesOut: 0, requests: 0, produce: 0, fetch: 0, throttled: null });

function snapshotOf(samples: readonly Sample[], at: number): Snapshot {
  const perVcluster = new Map<string, Totals>();
  let gatewayErrors = 0;
  const totals = (vcluster: string) => {
    let t = perVcluster.get(vcluster);
    if (!t) perVcluster.set(vcluster, (t = emptyTotals()));
    return t;
  };
  for (const s of samples) {
    if (s.name === "kgate_errors_total" || s.name === "kgate_authentication_failures_total") gatewayErrors += s.value;
    const vcluster = s.labels.vcluster;
    if (vcluster === undefined) continue;
    const t = totals(vcluster);
    switch (s.name) {
      case "kgate_connections": t.connections += s.value; break;
      case "kgate_bytes_in_total": t.bytesIn += s.value; break;
      case "kgate_bytes_out_total": t.bytesOut += s.value; break;
      case "kgate_requests_total":
        t.requests += s.value;
        if (s.labels.api === "Produce") t.produce += s.value;
        if (s.labels.api === "Fetch") t.fetch += s.value;
        break;
      default:
        if (/throttl/.test(s.name) && s.name.endsWith("_total")) t.throttled = (t.throttled ?? 0) + s.value;
    }
  }
  return { at, perVcluster, gatewayErrors };
}

/** A counter's rate between two snapshots; a counter that went down (a restart) counts from 0. */
function rate(now: number, before: number, seconds: number): number {
  const delta = now >= before ? now - before : now;
  return seconds > 0 ? delta / seconds : 0;
}

export class LiveStats {
  private readonly intervalMs: number;
  private readonly keep: number;
  private readonly clock: () => number;
  private readonly history = new Map<string, LivePoint[]>();
  private last: Snapshot | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(private readonly metrics: MetricsSource, options: LiveStatsOptions = {}) {
    this.intervalMs = options.intervalMs ?? LIVE_STATS_DEFAULTS.intervalMs;
    this.keep = options.keep ?? LIVE_STATS_DEFAULTS.keep;
    this.clock = options.clock ?? Date.now;
  }

  get sampleIntervalMs(): number {
    return this.intervalMs;
  }

  start(): void {
    if (this.timer) return;
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Takes one sample now (the timer calls this; tests call it directly). */
  sample(): void {
    const next = snapshotOf(parsePrometheusText(this.metrics.render()), this.clock());
    const prev = this.last;
    this.last = next;
    if (!prev) return;
    const seconds = (next.at - prev.at) / 1000;
    const gatewayErrorsPerSecond = rate(next.gatewayErrors, prev.gatewayErrors, seconds);
    const names = new Set([...next.perVcluster.keys(), ...this.history.keys()]);
    for (const name of names) {
      const now = next.perVcluster.get(name) ?? emptyTotals();
      const before = prev.perVcluster.get(name) ?? emptyTotals();
      const point: LivePoint = {
        at: next.at,
        connections: now.connections,
        bytesInPerSecond: rate(now.bytesIn, before.bytesIn, seconds),
        bytesOutPerSecond: rate(now.bytesOut, before.bytesOut, seconds),
        requestsPerSecond: rate(now.requests, before.requests, seconds),
        produceRequestsPerSecond: rate(now.produce, before.produce, seconds),
        fetchRequestsPerSecond: rate(now.fetch, before.fetch, seconds),
        gatewayErrorsPerSecond,
        throttledPerSecond: now.throttled === null ? null : rate(now.throttled, before.throttled ?? 0, seconds),
      };
      let points = this.history.get(name);
      if (!points) this.history.set(name, (points = []));
      points.push(point);
      if (points.length > this.keep) points.splice(0, points.length - this.keep);
    }
  }

  /**
   * The kept points of a vcluster, oldest first (empty before two samples were taken). Asking
   * for an existing vcluster without traffic yet starts its history (zeros, not gaps).
   */
  points(vcluster: string): readonly LivePoint[] {
    let points = this.history.get(vcluster);
    if (!points) this.history.set(vcluster, (points = []));
    return points;
  }

  /** Forgets a vcluster's history (it was deleted). */
  forget(vcluster: string): void {
    this.history.delete(vcluster);
  }
}
