// The topic-id directory's counters on /metrics: how many lookups tenants made kgate send, and
// how full its bounded maps and queue are.
import type { MetricsRegistry } from "../metrics/metrics.ts";
import type { TopicIdDirectory } from "./topic-id-directory.ts";

export function registerTopicIdMetrics(registry: MetricsRegistry, directory: TopicIdDirectory): void {
  const lookups = registry.counter("kgate_topic_id_lookups_total", "Metadata requests kgate sent to resolve topic ids");
  const ids = registry.counter("kgate_topic_id_lookup_ids_total", "Topic ids carried by those lookups");
  const failures = registry.counter("kgate_topic_id_lookup_failures_total", "Topic-id lookups that failed or timed out");
  const shed = registry.counter("kgate_topic_id_lookups_shed_total", "Topic ids reported unknown without a lookup (queue full)");
  const sizes = registry.gauge("kgate_topic_ids", "Entries in the topic-id directory", ["state"]);
  // Counters follow the directory's own totals; each render adds what changed since the last.
  const seen = { lookups: 0, idsLookedUp: 0, failures: 0, shed: 0 };
  registry.addCollector(() => {
    const s = directory.stats;
    lookups.inc(undefined, s.lookups - seen.lookups);
    ids.inc(undefined, s.idsLookedUp - seen.idsLookedUp);
    failures.inc(undefined, s.failures - seen.failures);
    shed.inc(undefined, s.shed - seen.shed);
    Object.assign(seen, s);
    sizes.set({ state: "known" }, directory.knownCount);
    sizes.set({ state: "unknown" }, directory.unknownCount);
    sizes.set({ state: "queued" }, directory.queuedCount);
  });
}
