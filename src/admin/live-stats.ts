// Per-vcluster live numbers for the console's chart: a bounded history of rates, sampled from the
// metrics exposition every few seconds. Read from the exposition text (not the registry's
// internals) so that it keeps working whatever implements /metrics, as long as the series
// names stay: kgate_connections, kgate_bytes_in_total, kgate_bytes_out_total,
// kgate_requests_total. Error counters (kgate_errors_total, kgate_authentication_failures_total,
// *_errors_total) and throttle-time counters (*throttle_time_ms_total, *throttle_time_seconds_total)
// with a vcluster label count for that vcluster, so the view shows per-vcluster errors and
// throttling once such series exist. The scan reads only
// the labels it needs, with indexOf rather than regexes: with 1,000 vclusters the exposition
// has some 15,000 lines, and a general parser took 60 ms of every 2-second interval.
import type { MetricsSource } from "../metrics/metrics.ts";

export interface LivePoint {
  /** Milliseconds since the epoch at the end of the interval. */
  readonly at: number;
  readonly connections: number;
  readonly bytesInPerSecond: number;
  readonly bytesOutPerSecond: number;
  readonly requestsPerSecond: number;
  readonly produceRequestsPerSecond: number;
  readonly fetchRequestsPerSecond: number;
  /** Gateway-wide: connections that ended in an error, and refused logins, of every vcluster. */
  readonly gatewayErrorsPerSecond: number;
  /** The vcluster's own errors; null while no error series carries a vcluster label. */
  readonly errorsPerSecond: number | null;
  /**
   * Throttle time handed to the vcluster's clients, in milliseconds per second (1000: one client
   * throttled all the time); null while no throttle-time series exists for the vcluster.
   */
  readonly throttleMsPerSecond: number | null;
}

interface Totals {
  connections: number;
  bytesIn: number;
  bytesOut: number;
  requests: number;
  produce: number;
  fetch: number;
  /** Throttle time in ms, per series name: two metrics may count the same waits, so they are not added. */
  throttleMs: Map<string, number> | null;
  errors: number | null;
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

const LIVE_STATS_DEFAULTS = { intervalMs: 2000, keep: 150 } as const;

const emptyTotals = (): Totals => ({ connections: 0, bytesIn: 0, bytesOut: 0, requests: 0, produce: 0, fetch: 0, throttleMs: null, errors: null });

/** Milliseconds per unit of a throttle-time counter, or undefined if `name` is not one. */
function throttleUnitMs(name: string): number | undefined {
  if (!name.includes("throttle_time")) return undefined;
  if (name.endsWith("_ms_total")) return 1;
  if (name.endsWith("_seconds_total")) return 1000;
  return undefined;
}

const isErrorSeries = (name: string) => name === "kgate_errors_total" || name === "kgate_authentication_failures_total" || name.endsWith("_errors_total");

/** A label's value in a sample line's label text (`a="x",b="y"`), unescaped; undefined if absent. */
export function labelValue(labelText: string, name: string): string | undefined {
  const key = `${name}="`;
  let at = labelText.startsWith(key) ? 0 : labelText.indexOf(`,${key}`);
  if (at < 0) return undefined;
  at += labelText.startsWith(key, at) ? key.length : key.length + 1;
  let end = at;
  let escaped = false;
  while (end < labelText.length && labelText[end] !== '"') {
    if (labelText[end] === "\\") {
      escaped = true;
      end++; // the escaped character is part of the value, even a quote
    }
    end++;
  }
  const raw = labelText.slice(at, end);
  return escaped ? raw.replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c)) : raw;
}

function snapshotOf(text: string, at: number): Snapshot {
  const perVcluster = new Map<string, Totals>();
  let gatewayErrors = 0;
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const brace = line.indexOf("{");
    const space = line.lastIndexOf(" ");
    if (space < 0) continue;
    const name = brace >= 0 && brace < space ? line.slice(0, brace) : line.slice(0, space);
    const value = Number(line.slice(space + 1));
    const error = isErrorSeries(name);
    if (error) gatewayErrors += value;
    const counted = error || name === "kgate_connections" || name === "kgate_bytes_in_total" || name === "kgate_bytes_out_total" ||
      name === "kgate_requests_total" || throttleUnitMs(name) !== undefined;
    if (!counted || brace < 0) continue;
    const labels = line.slice(brace + 1, line.lastIndexOf("}", space));
    const vcluster = labelValue(labels, "vcluster");
    if (vcluster === undefined) continue;
    let t = perVcluster.get(vcluster);
    if (!t) perVcluster.set(vcluster, t = emptyTotals());
    if (error) {
      t.errors = (t.errors ?? 0) + value;
      continue;
    }
    switch (name) {
      case "kgate_connections":
        t.connections += value;
        break;
      case "kgate_bytes_in_total":
        t.bytesIn += value;
        break;
      case "kgate_bytes_out_total":
        t.bytesOut += value;
        break;
      case "kgate_requests_total": {
        t.requests += value;
        const api = labelValue(labels, "api");
        if (api === "Produce") t.produce += value;
        if (api === "Fetch") t.fetch += value;
        break;
      }
      default: {
        const ms = (t.throttleMs ??= new Map());
        ms.set(name, (ms.get(name) ?? 0) + value * throttleUnitMs(name)!);
      }
    }
  }
  return { at, perVcluster, gatewayErrors };
}

/** A counter's rate between two snapshots; a counter that went down (a restart) counts from 0. */
function rate(now: number, before: number, seconds: number): number {
  const delta = now >= before ? now - before : now;
  return seconds > 0 ? delta / seconds : 0;
}

function throttleRate(now: Map<string, number> | null, before: Map<string, number> | null, seconds: number): number | null {
  if (now === null) return null;
  let highest = 0;
  for (const [name, ms] of now) highest = Math.max(highest, rate(ms, before?.get(name) ?? 0, seconds));
  return highest;
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
    const next = snapshotOf(this.metrics.render(), this.clock());
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
        errorsPerSecond: now.errors === null ? null : rate(now.errors, before.errors ?? 0, seconds),
        throttleMsPerSecond: throttleRate(now.throttleMs, before.throttleMs, seconds),
      };
      let points = this.history.get(name);
      if (!points) this.history.set(name, points = []);
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
    if (!points) this.history.set(vcluster, points = []);
    return points;
  }

  /** Forgets a vcluster's history (it was deleted). */
  forget(vcluster: string): void {
    this.history.delete(vcluster);
  }
}
