// Runtime adapter checks written against the Runtime interface only, so the same checks run
// under `bun test` (test/unit/runtime-bun.test.ts) and under Deno (deno-echo-check.ts).
// Each check throws on failure.
import type { Duplex, Runtime, TcpListener } from "../../src/runtime/types.ts";

const HOST = "127.0.0.1";

export function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

export function patternBytes(length: number, seed = 0): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (i * 31 + (i >> 11) + seed) & 0xff;
  return bytes;
}

export async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = stream.getReader();
  for (let r = await reader.read(); !r.done; r = await reader.read()) {
    chunks.push(r.value);
    total += r.value.byteLength;
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One accepted connection at a time, handed out in order. */
async function listenQueue(runtime: Runtime): Promise<{ listener: TcpListener; next(): Promise<Duplex> }> {
  const waiting: ((conn: Duplex) => void)[] = [];
  const ready: Duplex[] = [];
  const listener = await runtime.listen({ host: HOST, port: 0 }, (conn) => {
    const taker = waiting.shift();
    if (taker) taker(conn);
    else ready.push(conn);
  });
  const next = () => {
    const conn = ready.shift();
    return conn ? Promise.resolve(conn) : new Promise<Duplex>((resolve) => waiting.push(resolve));
  };
  return { listener, next };
}

/** Client → forwarder → echo server and back, 8 MiB, then half-close ends everything. */
export async function checkForwardedEcho(runtime: Runtime): Promise<void> {
  const echo = await runtime.listen({ host: HOST, port: 0 }, (conn) => {
    conn.readable.pipeTo(conn.writable).catch(() => conn.close());
  });
  const forwarder = await runtime.listen({ host: HOST, port: 0 }, async (client) => {
    const upstream = await runtime.connect({ host: HOST, port: echo.port });
    client.readable.pipeTo(upstream.writable).catch(() => upstream.close());
    upstream.readable.pipeTo(client.writable).catch(() => client.close());
  });
  try {
    const conn = await runtime.connect({ host: HOST, port: forwarder.port });
    check(conn.localPort > 0 && conn.remotePort === forwarder.port, "ports are reported");
    const payload = patternBytes(8 * 1024 * 1024 + 123);
    const echoed = readAll(conn.readable);
    const writer = conn.writable.getWriter();
    // Several writes, so more than one chunk is in flight through the forwarder.
    for (let offset = 0; offset < payload.byteLength; offset += 1_000_000) {
      await writer.write(payload.subarray(offset, offset + 1_000_000));
    }
    await writer.close();
    check(sameBytes(await echoed, payload), "echoed bytes equal the payload");
  } finally {
    echo.stop();
    forwarder.stop();
  }
}

export interface BackpressureResult {
  offeredBytes: number;
  acceptedWhileStalled: number;
}

/**
 * The writer offers `offeredBytes` to a peer that does not read. Bytes whose write() has
 * resolved are "accepted"; once progress stops, they must stay under `maxAcceptedBytes` (the
 * peer paused its socket instead of queueing everything). Then the peer reads: everything
 * arrives intact. `direction` says which side is the slow reader.
 *
 * Accepted = the two kernel socket buffers + the reader's stream queue (1 MiB). On Linux
 * loopback that measured 5-6 MiB; the 16 MiB default leaves room for other kernels' sizing.
 */
export async function checkBoundedBackpressure(
  runtime: Runtime,
  direction: "client-writes" | "server-writes",
  offeredBytes = 64 * 1024 * 1024,
  maxAcceptedBytes = 16 * 1024 * 1024,
): Promise<BackpressureResult> {
  const { listener, next } = await listenQueue(runtime);
  try {
    const client = await runtime.connect({ host: HOST, port: listener.port });
    const server = await next();
    const [writerSide, readerSide] = direction === "client-writes" ? [client, server] : [server, client];
    const payload = patternBytes(offeredBytes, 7);
    const writeChunk = 1024 * 1024;
    let accepted = 0;
    const writer = writerSide.writable.getWriter();
    const writing = (async () => {
      for (let offset = 0; offset < offeredBytes; offset += writeChunk) {
        const chunk = payload.subarray(offset, offset + writeChunk);
        await writer.write(chunk);
        accepted += chunk.byteLength;
      }
      await writer.close();
    })();

    // Wait until acceptance stops growing (the kernel buffers and the reader's queue are full).
    let last = -1;
    for (let idle = 0; idle < 5 && accepted < offeredBytes;) {
      await sleep(100);
      if (accepted === last) idle++;
      else (idle = 0), (last = accepted);
    }
    const acceptedWhileStalled = accepted;
    check(
      acceptedWhileStalled <= maxAcceptedBytes,
      `writes kept being accepted with nobody reading: ${acceptedWhileStalled} of ${offeredBytes} bytes`,
    );

    const received = await readAll(readerSide.readable);
    await writing;
    check(sameBytes(received, payload), "after the reader resumed, every byte arrived intact");
    readerSide.writable.close().catch(() => {});
    return { offeredBytes, acceptedWhileStalled };
  } finally {
    listener.stop();
  }
}

/** Half-close from either side: the other side still answers, then both ends close. */
export async function checkHalfCloseBothWays(runtime: Runtime): Promise<void> {
  const { listener, next } = await listenQueue(runtime);
  const encode = (s: string) => new TextEncoder().encode(s);
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  try {
    // Client finishes first.
    {
      const client = await runtime.connect({ host: HOST, port: listener.port });
      const server = await next();
      const clientWriter = client.writable.getWriter();
      await clientWriter.write(encode("request"));
      await clientWriter.close();
      check(decode(await readAll(server.readable)) === "request", "server reads until the client's FIN");
      const serverWriter = server.writable.getWriter();
      await serverWriter.write(encode("response after FIN"));
      await serverWriter.close();
      check(decode(await readAll(client.readable)) === "response after FIN", "client reads the late answer, then EOF");
    }
    // Server finishes first.
    {
      const client = await runtime.connect({ host: HOST, port: listener.port });
      const server = await next();
      const serverWriter = server.writable.getWriter();
      await serverWriter.write(encode("greeting"));
      await serverWriter.close();
      check(decode(await readAll(client.readable)) === "greeting", "client reads until the server's FIN");
      const clientWriter = client.writable.getWriter();
      await clientWriter.write(encode("bye"));
      await clientWriter.close();
      check(decode(await readAll(server.readable)) === "bye", "server reads the late answer, then EOF");
    }
  } finally {
    listener.stop();
  }
}

/** close() drops the connection: the peer's readable ends, a stalled write of ours fails. */
export async function checkAbruptClose(runtime: Runtime): Promise<void> {
  const { listener, next } = await listenQueue(runtime);
  try {
    const client = await runtime.connect({ host: HOST, port: listener.port });
    const server = await next();
    const writer = client.writable.getWriter();
    // Far more than the kernel buffers hold, with nobody reading: this write stays pending.
    const stalled = writer.write(new Uint8Array(128 * 1024 * 1024)).then(
      () => "resolved",
      () => "rejected",
    );
    await sleep(200);
    client.close();
    check((await stalled) === "rejected", "a pending write fails when the connection is closed");
    await readAll(server.readable).catch(() => new Uint8Array());
    server.close();
  } finally {
    listener.stop();
  }
}

export async function checkConnectRefused(runtime: Runtime): Promise<void> {
  const { listener } = await listenQueue(runtime);
  const port = listener.port;
  listener.stop();
  const outcome = await runtime.connect({ host: HOST, port }).then(
    (conn) => (conn.close(), "connected"),
    () => "refused",
  );
  check(outcome === "refused", "connecting to a closed port rejects");
}

/** writeFileAtomic creates missing files (owner-only, 0600) and replaces existing ones whole. */
export async function checkAtomicWrite(runtime: Runtime, dir: string): Promise<void> {
  await runtime.mkdirp(`${dir}/nested/deeper`);
  const path = `${dir}/nested/deeper/store.json`;
  check(!(await runtime.fileExists(path)), "file absent at first");
  await runtime.writeFileAtomic(path, '{"v":1}');
  await runtime.writeFileAtomic(path, '{"v":2}');
  check((await runtime.readTextFile(path)) === '{"v":2}', "second write replaced the first");
  check(await runtime.fileExists(path), "file exists after writing");
  const mode = await runtime.fileMode(path);
  check(mode === 0o600, `written with mode 0600, not 0${mode?.toString(8)}`);
}

/** serveHttp answers on the port it reports and stops. */
export async function checkHttpServe(runtime: Runtime): Promise<void> {
  const server = await runtime.serveHttp({ host: HOST, port: 0 }, (req) => new Response(`hello ${new URL(req.url).pathname}`));
  try {
    check(server.port > 0, "serveHttp reports the bound port");
    const text = await (await fetch(`http://${HOST}:${server.port}/healthz`)).text();
    check(text === "hello /healthz", `serveHttp answered: ${text}`);
  } finally {
    await server.stop();
  }
}

/** A connection handler that throws drops that connection only; the listener keeps serving. */
export async function checkHandlerFailureIsolated(runtime: Runtime): Promise<void> {
  let calls = 0;
  const listener = await runtime.listen({ host: HOST, port: 0 }, (conn) => {
    if (++calls === 1) throw new Error("handler bug");
    conn.readable.pipeTo(conn.writable).catch(() => conn.close());
  });
  try {
    const broken = await runtime.connect({ host: HOST, port: listener.port });
    await readAll(broken.readable).catch(() => new Uint8Array());
    broken.close();
    const healthy = await runtime.connect({ host: HOST, port: listener.port });
    const writer = healthy.writable.getWriter();
    await writer.write(new TextEncoder().encode("still here"));
    await writer.close();
    check(new TextDecoder().decode(await readAll(healthy.readable)) === "still here", "the next connection is served");
  } finally {
    listener.stop();
  }
}
