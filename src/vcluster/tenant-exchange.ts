// One request inside a virtual cluster, and its response: the ordered stages of
// stages/pipeline.ts. This module keeps the entry point and the connection types where the
// policy, the tests and the benchmarks import them.
export { tenantRequest } from "./stages/pipeline.ts";
export type { ConnectionState } from "./stages/exchange.ts";
