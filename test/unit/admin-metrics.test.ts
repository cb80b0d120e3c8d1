import { describe, expect, test } from "bun:test";
import { apiLabel, createKgateMetrics, MetricsRegistry } from "../../src/metrics/metrics.ts";

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

  test("requests are labelled by API name; unknown keys share one label value", () => {
    expect(apiLabel(0)).toBe("Produce");
    expect(apiLabel(1)).toBe("Fetch");
    expect(apiLabel(36)).toBe("SaslAuthenticate");
    expect(apiLabel(9999)).toBe("unknown");
    expect(apiLabel(-1)).toBe("unknown");
  });

  test("build info is one series at 1; login failures and connections have their own metrics", () => {
    const kgate = createKgateMetrics({ build: { version: "1.2.3", commit: "abc", runtime: "deno" } });
    kgate.authenticationFailures.inc({ reason: "invalid_credentials" });
    const text = kgate.registry.render();
    expect(text).toContain("# TYPE kgate_build_info gauge\n");
    expect(text).toContain('kgate_build_info{version="1.2.3",commit="abc",runtime="deno"} 1\n');
    expect(text).toContain("# TYPE kgate_authentication_failures_total counter\n");
    expect(text).toContain('kgate_authentication_failures_total{reason="invalid_credentials"} 1\n');
  });

  test("a gauge set with setAll drops the label sets that are gone", () => {
    const registry = new MetricsRegistry();
    const open = registry.gauge("x_connections", "Open", ["vcluster"]);
    open.setAll([[{ vcluster: "a" }, 2], [{ vcluster: "b" }, 1]]);
    expect(registry.render()).toContain('x_connections{vcluster="b"} 1\n');
    open.setAll([[{ vcluster: "a" }, 1]]);
    const text = registry.render();
    expect(text).toContain('x_connections{vcluster="a"} 1\n');
    expect(text).not.toContain('vcluster="b"');
  });
});
