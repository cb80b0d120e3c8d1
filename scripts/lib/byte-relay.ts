// A bare byte relay on kgate's own socket adapters: each connection to the listener is joined to
// a new one to the upstream port, bytes copied both ways, nothing parsed. What a kgate session
// costs at the least on this runtime (scripts/bench-forward.ts, and the bench's relay targets
// through scripts/bench-relay.ts).
import { type Duplex, runtime } from "../../src/runtime/index.ts";

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

/** Listens on `host:listenPort` (0: any free port) and relays to `host:upstreamPort`; the port it got. */
export async function startByteRelay(listenPort: number, upstreamPort: number, host = "127.0.0.1"): Promise<number> {
  const listener = await runtime.listen({ host, port: listenPort }, (client) => {
    runtime.connect({ host, port: upstreamPort }).then(
      (upstream) => {
        void pump(client, upstream);
        void pump(upstream, client);
      },
      () => client.close(),
    );
  });
  return listener.port;
}
