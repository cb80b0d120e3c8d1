// /metrics for quotas: each vcluster's current produce and fetch byte rates and request rate
// (Kafka's windowed rates, the ones its quotas are checked against), the throttle time handed
// out, and its connections counted for maxConnections. Read at each scrape.
import type { MetricsRegistry } from "../metrics/metrics.ts";
import type { QuotaKind, QuotaManager } from "./quota-manager.ts";

export function registerQuotaMetrics(registry: MetricsRegistry, quotas: QuotaManager): void {
  const rates: Record<QuotaKind, ReturnType<MetricsRegistry["gauge"]>> = {
    produce: registry.gauge("kgate_vcluster_produce_bytes_rate", "Produce request bytes per second over the quota window, per vcluster", ["vcluster"]),
    fetch: registry.gauge("kgate_vcluster_fetch_bytes_rate", "Fetch response bytes per second over the quota window, per vcluster", ["vcluster"]),
    request: registry.gauge("kgate_vcluster_request_rate", "Requests per second over the quota window, per vcluster", ["vcluster"]),
  };
  const throttle = registry.counter(
    "kgate_vcluster_throttle_time_ms_total",
    "Throttle time given to clients for quota violations (ms), per vcluster and quota",
    ["vcluster", "quota"],
  );
  /** What the counter already holds, so each scrape adds only what came since. */
  const counted = new Map<string, number>();
  const connections = registry.gauge("kgate_vcluster_quota_connections", "Connections counted against quotas.maxConnections, per vcluster", ["vcluster"]);
  registry.addCollector(() => {
    const vclusters = quotas.measuredVclusters();
    for (const kind of ["produce", "fetch", "request"] as const) {
      rates[kind].setAll([...vclusters].map((vcluster) => [{ vcluster }, quotas.currentRate(kind, vcluster)]));
    }
    for (const [vcluster, totals] of quotas.throttleTotals) {
      for (const [quota, ms] of Object.entries(totals)) {
        const key = `${vcluster}\0${quota}`;
        const delta = ms - (counted.get(key) ?? 0);
        if (delta > 0 || !counted.has(key)) throttle.inc({ vcluster, quota }, delta);
        counted.set(key, ms);
      }
    }
    connections.setAll([...vclusters].map((vcluster) => [{ vcluster }, quotas.connectionCount(vcluster)]));
  });
}
