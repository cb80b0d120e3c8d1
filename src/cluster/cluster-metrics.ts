// Cluster mode in /metrics: how many nodes this node sees, and where each broker is advertised.
import type { MetricsRegistry } from "../metrics/metrics.ts";
import type { ClusterMode } from "./cluster-mode.ts";

export function registerClusterMetrics(registry: MetricsRegistry, cluster: ClusterMode): void {
  const live = registry.gauge("kgate_cluster_nodes", "kgate nodes this node sees alive in the cluster topic (itself included)");
  const placed = registry.gauge(
    "kgate_cluster_broker_placement",
    "1 for the kgate node each backing broker is advertised at, as this node answers metadata",
    ["broker", "node"],
  );
  registry.addCollector(() => {
    live.set(undefined, cluster.membership.live.length);
    placed.setAll([...cluster.placement()].map(([broker, node]) => [{ broker, node }, 1]));
  });
}
