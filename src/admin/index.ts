export { createAdminApp } from "./app.ts";
export { bootstrapAddress, renderClientProperties } from "./client-properties.ts";
export type { AdminDeps } from "./deps.ts";
export {
  Counter,
  type CounterHandle,
  createKgateMetrics,
  Gauge,
  type GaugeHandle,
  type KgateMetrics,
  type MetricsSource,
  MetricsRegistry,
} from "../metrics/metrics.ts";
