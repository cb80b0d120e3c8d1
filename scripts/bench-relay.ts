// A bare byte relay for `npm run bench` (scripts/lib/byte-relay.ts): under Bun or Deno it shows
// what the runtime's socket I/O alone costs, the floor under kgate's figures on the same runtime.
// (socat is the bench's floor for a relay in C.)
//
//   bun scripts/bench-relay.ts LISTEN_PORT UPSTREAM_PORT
//   deno run -A scripts/bench-relay.ts LISTEN_PORT UPSTREAM_PORT
import { runtime } from "../src/runtime/index.ts";
import { startByteRelay } from "./lib/byte-relay.ts";

const [listenPort, upstreamPort] = runtime.args().map(Number);
if (!listenPort || !upstreamPort) {
  console.error("usage: bench-relay.ts LISTEN_PORT UPSTREAM_PORT");
  runtime.exit(2);
}
await startByteRelay(listenPort!, upstreamPort!);
console.log(`relay 127.0.0.1:${listenPort} -> 127.0.0.1:${upstreamPort} (${runtime.name})`);
