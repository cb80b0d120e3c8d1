// The histogram's Prometheus text: cumulative buckets with `le`, +Inf equal to _count, _sum, labels
// escaped and placed before `le`; kgate's latency histograms exist with the agreed names.
import { describe, expect, test } from "bun:test";
import { createKgateMetrics, Histogram, LATENCY_BUCKETS_SECONDS, MetricsRegistry } from "../../src/metrics/metrics.ts";

describe("histogram exposition", () => {
  test("cumulative buckets, +Inf, _sum and _count per label set", () => {
    const registry = new MetricsRegistry();
    const h = registry.histogram("x_duration_seconds", "Durations", ["api", "vcluster"], [0.25, 0.5, 1]);
    h.observe({ api: "Produce", vcluster: 'a"b' }, 0.125);
    h.observe({ api: "Produce", vcluster: 'a"b' }, 0.5); // on a bound: counts in that bucket (le is <=)
    const fetch = h.labels({ api: "Fetch", vcluster: "v" });
    fetch.observe(0.5);
    fetch.observe(7);
    expect(registry.render()).toBe(
      [
        "# HELP x_duration_seconds Durations",
        "# TYPE x_duration_seconds histogram",
        'x_duration_seconds_bucket{api="Produce",vcluster="a\\"b",le="0.25"} 1',
        'x_duration_seconds_bucket{api="Produce",vcluster="a\\"b",le="0.5"} 2',
        'x_duration_seconds_bucket{api="Produce",vcluster="a\\"b",le="1"} 2',
        'x_duration_seconds_bucket{api="Produce",vcluster="a\\"b",le="+Inf"} 2',
        'x_duration_seconds_sum{api="Produce",vcluster="a\\"b"} 0.625',
        'x_duration_seconds_count{api="Produce",vcluster="a\\"b"} 2',
        'x_duration_seconds_bucket{api="Fetch",vcluster="v",le="0.25"} 0',
        'x_duration_seconds_bucket{api="Fetch",vcluster="v",le="0.5"} 1',
        'x_duration_seconds_bucket{api="Fetch",vcluster="v",le="1"} 1',
        'x_duration_seconds_bucket{api="Fetch",vcluster="v",le="+Inf"} 2',
        'x_duration_seconds_sum{api="Fetch",vcluster="v"} 7.5',
        'x_duration_seconds_count{api="Fetch",vcluster="v"} 2',
        "",
      ].join("\n"),
    );
  });

  test("without labels: le is the only label; nothing observed renders only HELP and TYPE", () => {
    const h = new Histogram("y_seconds", "Y", [], [1]);
    expect(h.render()).toBe("# HELP y_seconds Y\n# TYPE y_seconds histogram");
    h.observe(undefined, 2);
    expect(h.render()).toContain('y_seconds_bucket{le="1"} 0\ny_seconds_bucket{le="+Inf"} 1\ny_seconds_sum 2\ny_seconds_count 1');
  });

  test("buckets must increase", () => {
    expect(() => new Histogram("z", "Z", [], [1, 1])).toThrow("increase");
  });

  test("kgate's metrics: request and broker latency histograms, upstream states, throttle hook, store lag", () => {
    const m = createKgateMetrics();
    m.requestDuration.observe({ api: "Produce", vcluster: "vc-a" }, 0.0003);
    m.brokerRequestDuration.observe({ api: "Produce", vcluster: "vc-a" }, 0.02);
    m.upstreamConnections.setAll([[{ state: "open", broker: "0" }, 2]]);
    const text = m.registry.render();
    expect(text).toContain("# TYPE kgate_request_duration_seconds histogram\n");
    expect(text).toContain('kgate_request_duration_seconds_bucket{api="Produce",vcluster="vc-a",le="0.0005"} 1\n');
    expect(text).toContain('kgate_broker_request_duration_seconds_bucket{api="Produce",vcluster="vc-a",le="0.01"} 0\n');
    expect(text).toContain('kgate_broker_request_duration_seconds_bucket{api="Produce",vcluster="vc-a",le="0.025"} 1\n');
    expect(text).toContain('kgate_broker_request_duration_seconds_count{api="Produce",vcluster="vc-a"} 1\n');
    expect(text).toContain('kgate_upstream_connections{state="open",broker="0"} 2\n');
    expect(text).toContain("# TYPE kgate_throttle_time_seconds_total counter\n");
    expect(text).toContain("kgate_store_lag_records 0\n");
    expect(LATENCY_BUCKETS_SECONDS.at(-1)).toBe(10);
  });
});
