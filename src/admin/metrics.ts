// A minimal Prometheus registry (text exposition format 0.0.4): labelled counters and gauges,
// no dependencies. Hot paths take a handle once with `.labels({...})` and then only add.
// Hand-written rather than prom-client: kgate needs two metric types and one text format, and
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

abstract class Metric {
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
    const labelText = this.labelNames.length
      ? `{${this.labelNames.map((n) => `${n}="${escapeLabelValue(String(labels[n] ?? ""))}"`).join(",")}}`
      : "";
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

export class Counter extends Metric {
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

export class Gauge extends Metric {
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

/** What the admin API needs to serve `/metrics`. */
export interface MetricsSource {
  render(): string;
}

export class MetricsRegistry implements MetricsSource {
  private readonly metrics: Metric[] = [];
  private readonly collectors: (() => void)[] = [];

  counter(name: string, help: string, labelNames: readonly string[] = []): Counter {
    return this.add(new Counter(name, help, labelNames));
  }

  gauge(name: string, help: string, labelNames: readonly string[] = []): Gauge {
    return this.add(new Gauge(name, help, labelNames));
  }

  /** Runs before each render: for values cheaper to read on demand than to track. */
  addCollector(collect: () => void): void {
    this.collectors.push(collect);
  }

  render(): string {
    for (const collect of this.collectors) collect();
    return `${this.metrics.map((m) => m.render()).join("\n")}\n`;
  }

  private add<T extends Metric>(metric: T): T {
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
  };
  const { vclusterCount, build } = sources;
  if (vclusterCount) registry.addCollector(() => metrics.storeVclusters.set(undefined, vclusterCount()));
  if (build) metrics.buildInfo.set({ ...build }, 1);
  return metrics;
}
