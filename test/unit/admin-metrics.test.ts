import { describe, expect, test } from "bun:test";
import { createKgateMetrics, MetricsRegistry } from "../../src/admin/metrics.ts";

describe("metrics registry", () => {
  test("renders counters and gauges in Prometheus text format with escaped labels", () => {
    const registry = new MetricsRegistry();
    const requests = registry.counter("x_requests_total", "Requests", ["api_key", "vcluster"]);
    const open = registry.gauge("x_open", "Open things");
    requests.inc({ api_key: 0, vcluster: 'we"ird\\name\n' });
    const handle = requests.labels({ api_key: 1, vcluster: "a" });
    handle.inc();
    handle.inc(2);
    open.set(undefined, 4);
    open.dec();
    expect(registry.render()).toBe(
      [
        "# HELP x_requests_total Requests",
        "# TYPE x_requests_total counter",
        'x_requests_total{api_key="0",vcluster="we\\"ird\\\\name\\n"} 1',
        'x_requests_total{api_key="1",vcluster="a"} 3',
        "# HELP x_open Open things",
        "# TYPE x_open gauge",
        "x_open 3",
        "",
      ].join("\n"),
    );
  });

  test("refuses duplicate names; collectors run at render", () => {
    const registry = new MetricsRegistry();
    registry.counter("a", "A");
    expect(() => registry.gauge("a", "A")).toThrow("twice");
    let count = 0;
    const kgate = createKgateMetrics({ vclusterCount: () => ++count });
    expect(kgate.registry.render()).toContain("kgate_store_vclusters 1\n");
    expect(kgate.registry.render()).toContain("kgate_store_vclusters 2\n");
    for (const name of ["kgate_connections", "kgate_requests_total", "kgate_bytes_in_total", "kgate_bytes_out_total", "kgate_errors_total"]) {
      expect(kgate.registry.render()).toContain(`# TYPE ${name} `);
    }
  });
});
