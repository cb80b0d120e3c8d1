// A minimal Prometheus registry (text exposition format 0.0.4): labelled counters, gauges and
// histograms, no dependencies. Hot paths take a handle once with `.labels({...})` and then only add.
// Hand-written rather than prom-client: kgate needs three metric types and one text format, and
// prom-client leans on Node's cluster and perf_hooks modules, which Deno and the binary do without.
import { apiSpec } from "../protocol/registry.ts";

export type LabelValues = Readonly<Record<string, string | number>>;

interface Series {
  readonly labelText: string;
  value: number;
}

export interface CounterHandle {
  inc(by?: number): void;
}

export interface GaugeHandle extends CounterHandle {
  set(value: number): void;
  dec(by?: number): void;
}

function escapeLabelValue(value: string): string {
  return value.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n");
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return String(value);
}

/** What the registry renders. */
interface Rendered {
  readonly name: string;
  render(): string;
}

abstract class Metric implements Rendered {
  private readonly series = new Map<string, Series>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
    private readonly type: "counter" | "gauge",
  ) {}

  /** Drops every series (a gauge recomputed from scratch at each render). */
  protected clearSeries(): void {
    this.series.clear();
  }

  protected seriesFor(labels: LabelValues = {}): Series {
    const labelText = this.labelNames.length ? `{${this.labelNames.map((n) => `${n}="${escapeLabelValue(String(labels[n] ?? ""))}"`).join(",")}}` : "";
    let series = this.series.get(labelText);
    if (!series) {
      series = { labelText, value: 0 };
      this.series.set(labelText, series);
    }
    return series;
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} ${this.type}`];
    // An unlabelled metric shows 0 before its first change, so dashboards see it exist.
    if (this.series.size === 0 && this.labelNames.length === 0) this.seriesFor();
    for (const s of this.series.values()) lines.push(`${this.name}${s.labelText} ${formatValue(s.value)}`);
    return lines.join("\n");
  }
}

class Counter extends Metric {
  constructor(name: string, help: string, labelNames: readonly string[] = []) {
    super(name, help, labelNames, "counter");
  }

  inc(labels?: LabelValues, by = 1): void {
    this.seriesFor(labels).value += by;
  }

  labels(labels: LabelValues): CounterHandle {
    const series = this.seriesFor(labels);
    return { inc: (by = 1) => void (series.value += by) };
  }
}

class Gauge extends Metric {
  constructor(name: string, help: string, labelNames: readonly string[] = []) {
    super(name, help, labelNames, "gauge");
  }

  set(labels: LabelValues | undefined, value: number): void {
    this.seriesFor(labels).value = value;
  }

  inc(labels?: LabelValues, by = 1): void {
    this.seriesFor(labels).value += by;
  }

  dec(labels?: LabelValues, by = 1): void {
    this.seriesFor(labels).value -= by;
  }

  /** Replaces every series: label sets absent from `values` disappear rather than linger at 0. */
  setAll(values: Iterable<readonly [LabelValues, number]>): void {
    this.clearSeries();
    for (const [labels, value] of values) this.seriesFor(labels).value = value;
  }

  labels(labels: LabelValues): GaugeHandle {
    const series = this.seriesFor(labels);
    return {
      inc: (by = 1) => void (series.value += by),
      dec: (by = 1) => void (series.value -= by),
      set: (value) => void (series.value = value),
    };
  }
}

export interface HistogramHandle {
  observe(value: number): void;
}

interface HistogramSeries {
  readonly labelText: string;
  /** Per bucket, observations at or below its bound (not yet cumulative). */
  readonly counts: number[];
  sum: number;
  count: number;
}

/**
 * Latency buckets in seconds for Kafka requests: sub-millisecond answers kgate gives itself up to
 * a Fetch's long poll (fetch.max.wait.ms is 500 ms by default) and a slow broker's seconds.
 */
export const LATENCY_BUCKETS_SECONDS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

export class Histogram implements Rendered {
  private readonly series = new Map<string, HistogramSeries>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[] = [],
    readonly buckets: readonly number[] = LATENCY_BUCKETS_SECONDS,
  ) {
    if (buckets.some((b, i) => i > 0 && b <= buckets[i - 1]!)) throw new Error(`histogram ${name}: buckets must increase`);
  }

  observe(labels: LabelValues | undefined, value: number): void {
    this.record(this.seriesFor(labels), value);
  }

  labels(labels: LabelValues): HistogramHandle {
    const series = this.seriesFor(labels);
    return { observe: (value) => this.record(series, value) };
  }

  private record(series: HistogramSeries, value: number): void {
    // Linear over 14 bounds: cheaper than a binary search at this size.
    let i = 0;
    while (i < this.buckets.length && value > this.buckets[i]!) i++;
    if (i < this.buckets.length) series.counts[i]!++;
    series.sum += value;
    series.count++;
  }

  private seriesFor(labels: LabelValues = {}): HistogramSeries {
    const labelText = this.labelNames.map((n) => `${n}="${escapeLabelValue(String(labels[n] ?? ""))}"`).join(",");
    let series = this.series.get(labelText);
    if (!series) {
      series = { labelText, counts: this.buckets.map(() => 0), sum: 0, count: 0 };
      this.series.set(labelText, series);
    }
    return series;
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const s of this.series.values()) {
      const sep = s.labelText ? "," : "";
      let cumulative = 0;
      this.buckets.forEach((bound, i) => {
        cumulative += s.counts[i]!;
        lines.push(`${this.name}_bucket{${s.labelText}${sep}le="${formatValue(bound)}"} ${cumulative}`);
      });
      lines.push(`${this.name}_bucket{${s.labelText}${sep}le="+Inf"} ${s.count}`);
      const labelText = s.labelText ? `{${s.labelText}}` : "";
      lines.push(`${this.name}_sum${labelText} ${formatValue(s.sum)}`);
      lines.push(`${this.name}_count${labelText} ${s.count}`);
    }
    return lines.join("\n");
  }
}

/** What the admin API needs to serve `/metrics`. */
export interface MetricsSource {
  render(): string;
}

export class MetricsRegistry implements MetricsSource {
  private readonly metrics: Rendered[] = [];
  private readonly collectors: (() => void)[] = [];

  counter(name: string, help: string, labelNames: readonly string[] = []): Counter {
    return this.add(new Counter(name, help, labelNames));
  }

  gauge(name: string, help: string, labelNames: readonly string[] = []): Gauge {
    return this.add(new Gauge(name, help, labelNames));
  }

  histogram(name: string, help: string, labelNames: readonly string[] = [], buckets?: readonly number[]): Histogram {
    return this.add(new Histogram(name, help, labelNames, buckets));
  }

  /** Runs before each render: for values cheaper to read on demand than to track. */
  addCollector(collect: () => void): void {
    this.collectors.push(collect);
  }

  render(): string {
    for (const collect of this.collectors) collect();
    return `${this.metrics.map((m) => m.render()).join("\n")}\n`;
  }

  private add<T extends Rendered>(metric: T): T {
    if (this.metrics.some((m) => m.name === metric.name)) throw new Error(`metric ${metric.name} registered twice`);
    this.metrics.push(metric);
    return metric;
  }
}

/** Which build is running: the labels of `kgate_build_info`. */
export interface BuildInfo {
  readonly version: string;
  readonly commit: string;
  readonly runtime: string;
}

/** kgate's metrics; the data plane updates them, the admin API renders them. */
export interface KgateMetrics {
  readonly registry: MetricsRegistry;
  readonly connections: Gauge;
  readonly requests: Counter;
  readonly bytesIn: Counter;
  readonly bytesOut: Counter;
  readonly errors: Counter;
  readonly authenticationFailures: Counter;
  readonly storeVclusters: Gauge;
  readonly buildInfo: Gauge;
  /** Per request: time in kgate (arrival to response sent, less the broker's share). */
  readonly requestDuration: Histogram;
  /** Per forwarded request: time from forwarding it to the backing broker's response. */
  readonly brokerRequestDuration: Histogram;
  /** Client connections by the state of their backing connection (none, connecting, open) and broker. */
  readonly upstreamConnections: Gauge;
  /** Failed attempts to open a backing connection for a client. */
  readonly upstreamConnectFailures: Counter;
  /**
   * Hook for quotas: seconds of throttle time kgate asked clients for (`throttle_time_ms`), by
   * vcluster and API. The quota module adds to it; without one it stays empty.
   */
  readonly throttleTime: Counter;
  /** Kafka store: records in the state topic not applied yet (log end minus position). */
  readonly storeLag: Gauge;
}

const API_LABELS: string[] = [];

/**
 * The `api` label for a request: Kafka's name for the API ("Produce", "Fetch"), or "unknown" —
 * one label value for every key kgate has no codec for, so a client sending random keys cannot
 * grow the series without bound (invariant 4).
 */
export function apiLabel(apiKey: number): string {
  return (API_LABELS[apiKey] ??= apiSpec(apiKey)?.name ?? "unknown");
}

export function createKgateMetrics(sources: { vclusterCount?: () => number; build?: BuildInfo } = {}): KgateMetrics {
  const registry = new MetricsRegistry();
  const metrics: KgateMetrics = {
    registry,
    connections: registry.gauge("kgate_connections", "Open client connections, by the vcluster they see", ["vcluster"]),
    requests: registry.counter("kgate_requests_total", "Kafka requests from clients", ["api", "vcluster"]),
    bytesIn: registry.counter("kgate_bytes_in_total", "Bytes received from clients", ["vcluster"]),
    bytesOut: registry.counter("kgate_bytes_out_total", "Bytes sent to clients", ["vcluster"]),
    errors: registry.counter("kgate_errors_total", "Refused or failed requests and connections", ["kind"]),
    authenticationFailures: registry.counter("kgate_authentication_failures_total", "Refused client logins, by reason", ["reason"]),
    storeVclusters: registry.gauge("kgate_store_vclusters", "Virtual clusters in the store"),
    buildInfo: registry.gauge("kgate_build_info", "Always 1; the labels say which build runs", ["version", "commit", "runtime"]),
    requestDuration: registry.histogram(
      "kgate_request_duration_seconds",
      "Time kgate spent on a request: from its arrival to its response going to the client, less the time at the broker",
      ["api", "vcluster"],
    ),
    brokerRequestDuration: registry.histogram(
      "kgate_broker_request_duration_seconds",
      "Time at the backing broker: from forwarding a request to its response arriving",
      ["api", "vcluster"],
    ),
    upstreamConnections: registry.gauge(
      "kgate_upstream_connections",
      "Client connections by the state of their backing connection (none, connecting, open) and the broker they stand for",
      ["state", "broker"],
    ),
    upstreamConnectFailures: registry.counter("kgate_upstream_connect_failures_total", "Backing connections kgate could not open for a client"),
    throttleTime: registry.counter("kgate_throttle_time_seconds_total", "Throttle time kgate asked clients to wait (quotas)", ["vcluster", "api"]),
    storeLag: registry.gauge("kgate_store_lag_records", "Kafka store: state topic records not yet applied (log end offset minus position)"),
  };
  const { vclusterCount, build } = sources;
  if (vclusterCount) registry.addCollector(() => metrics.storeVclusters.set(undefined, vclusterCount()));
  if (build) metrics.buildInfo.set({ ...build }, 1);
  return metrics;
}
