// A bare byte relay for `npm run bench`: every connection to LISTEN_PORT is joined to one to
// UPSTREAM_PORT, bytes copied both ways, nothing parsed. It uses kgate's own socket adapters
// (src/runtime), so under Bun or Deno it shows what the runtime's socket I/O alone costs: the
// floor under kgate's figures on the same runtime. (socat is the bench's floor for a relay in C.)
//
//   bun scripts/bench-relay.ts LISTEN_PORT UPSTREAM_PORT
//   deno run -A scripts/bench-relay.ts LISTEN_PORT UPSTREAM_PORT
import { type Duplex, runtime } from "../src/runtime/index.ts";

const [listenPort, upstreamPort] = runtime.args().map(Number);
if (!listenPort || !upstreamPort) {
  console.error("usage: bench-relay.ts LISTEN_PORT UPSTREAM_PORT");
  runtime.exit(2);
}

/** Copies `from` to `to` as kgate's cut-through does: one write per chunk read, awaited. */
async function pump(from: Duplex, to: Duplex): Promise<void> {
  const reader = from.readable.getReader();
  const writer = to.writable.getWriter();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      await writer.write(value);
      from.recycle?.(value);
    }
    await writer.close();
  } catch {
    from.close();
    to.close();
  }
}

await runtime.listen({ host: "127.0.0.1", port: listenPort }, (client) => {
  runtime.connect({ host: "127.0.0.1", port: upstreamPort }).then(
    (upstream) => {
      void pump(client, upstream);
      void pump(upstream, client);
    },
    () => client.close(),
  );
});
console.log(`relay 127.0.0.1:${listenPort} -> 127.0.0.1:${upstreamPort} (${runtime.name})`);
