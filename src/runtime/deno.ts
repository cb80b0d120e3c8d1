// Runtime adapter for Deno. `conn.readable`/`conn.writable` are not used as they are: on
// Deno 2.9 closing `conn.writable` closes the whole connection, and so does `conn.readable`
// reaching EOF, so neither direction can half-close; and `conn.readable` reads 64 KiB at a
// time. These thin streams over conn.read/conn.write keep the Duplex contract (types.ts).
import { getLogger } from "../base/log.ts";
import { connectTls, listenTls } from "./node-tls.ts";
import type { Duplex, HttpServer, Runtime, TcpListener, TlsClientOptions, TlsServerOptions } from "./types.ts";

const log = getLogger("runtime");
/** Pause after a failed accept (e.g. out of file descriptors) before trying again. */
const ACCEPT_RETRY_MS = 100;

/**
 * Read buffer sizing. Each conn.read costs a promise and an op, so big reads matter for
 * streaming (measured with scripts/bench-forward.ts: 64 KiB reads forward ~35% slower than
 * 1 MiB reads). But an idle connection keeps its buffer in a pending read, and kgate holds
 * many mostly idle connections, so the buffer starts small, doubles while reads fill it and
 * halves when they don't.
 */
const MIN_READ_BYTES = 4 * 1024;
const MAX_READ_BYTES = 1024 * 1024;
/**
 * Memory the readable may queue before it stops calling conn.read (backpressure). Counted as
 * whole buffers, not payload, so a handed-over half-full buffer is charged for what it holds.
 */
const READ_HIGH_WATER_BYTES = 1 << 20;
/** Recycled read buffers kept per connection (AdaptiveReader.spares). */
const MAX_SPARE_BUFFERS = 2;

/**
 * Reads into buffers that adapt to the traffic. A read that fills at least half its buffer
 * hands the buffer over as is; a shorter one is copied out (cheap: it is short) so a mostly
 * empty buffer is never held by the queue.
 */
class AdaptiveReader {
  private size = MIN_READ_BYTES;
  private buffer: Uint8Array | null = null;
  /**
   * Handed-over buffers given back by `recycle`, read into next instead of new ones. Two: the
   * readable reads ahead while the last chunk is still being written. Per connection on purpose:
   * a buffer never moves between connections, so a caller that gave one back too early could
   * only garble its own stream, never another client's.
   */
  private readonly spares: ArrayBuffer[] = [];
  private readonly conn: Deno.TcpConn;

  constructor(conn: Deno.TcpConn) {
    this.conn = conn;
  }

  /** The next chunk, or null at EOF. */
  async read(): Promise<Uint8Array | null> {
    const buffer = (this.buffer ??= this.freshBuffer());
    const n = await this.conn.read(buffer);
    if (n === null) return null;
    if (n === buffer.byteLength) {
      this.buffer = null;
      this.size = Math.min(this.size * 2, MAX_READ_BYTES);
      return buffer;
    }
    if (n * 2 >= buffer.byteLength) {
      this.buffer = null;
      return buffer.subarray(0, n);
    }
    const chunk = buffer.slice(0, n);
    if (this.size > MIN_READ_BYTES && n * 4 < buffer.byteLength) {
      this.size /= 2;
      this.buffer = null;
      this.spares.length = 0;
    }
    return chunk;
  }

  /** A chunk `read` handed over whole, now unreferenced (Duplex.recycle). */
  recycle(chunk: Uint8Array): void {
    const memory = chunk.buffer;
    if (chunk.byteOffset !== 0 || !(memory instanceof ArrayBuffer) || memory.byteLength < this.size) return;
    if (this.spares.length >= MAX_SPARE_BUFFERS || this.spares.includes(memory) || this.buffer?.buffer === memory) return;
    this.spares.push(memory);
  }

  private freshBuffer(): Uint8Array {
    // A spare of an older, larger size is fine: `size` is a target, and reads fill what they get.
    const spare = this.spares.pop();
    return spare !== undefined && spare.byteLength >= this.size ? new Uint8Array(spare) : new Uint8Array(this.size);
  }
}

/** close() throws if the stream was cancelled meanwhile; that case needs no signal. */
function closeQuietly(controller: ReadableStreamDefaultController<Uint8Array>): void {
  try {
    controller.close();
  } catch {
    // Already cancelled or errored.
  }
}

function wrapConn(conn: Deno.TcpConn): Duplex {
  conn.setNoDelay(true);
  let readDone = false;
  let writeDone = false;
  let closed = false;

  const closeConn = () => {
    if (closed) return;
    closed = true;
    try {
      conn.close();
    } catch {
      // Already closed by the runtime.
    }
  };
  // The resource must be closed explicitly once both directions are finished.
  const maybeRelease = () => {
    if (readDone && writeDone) closeConn();
  };

  const reader = new AdaptiveReader(conn);
  const readable = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        let chunk: Uint8Array | null;
        try {
          chunk = await reader.read();
        } catch (error) {
          readDone = true;
          // A read cut short by our own close()/cancel is an end, not a failure.
          if (closed) closeQuietly(controller);
          else controller.error(error);
          return;
        }
        if (chunk === null) {
          readDone = true;
          controller.close();
          maybeRelease();
          return;
        }
        controller.enqueue(chunk);
      },
      cancel() {
        readDone = true;
        closeConn();
      },
    },
    { highWaterMark: READ_HIGH_WATER_BYTES, size: (chunk) => chunk!.buffer.byteLength },
  );

  const writable = new WritableStream<Uint8Array>({
    async write(chunk) {
      // conn.write may take only part of the chunk; it resolves once the kernel has it.
      let offset = 0;
      while (offset < chunk.byteLength) {
        offset += await conn.write(offset === 0 ? chunk : chunk.subarray(offset));
      }
    },
    async close() {
      writeDone = true;
      if (closed) return;
      await conn.closeWrite();
      maybeRelease();
    },
    abort() {
      writeDone = true;
      closeConn();
    },
  });

  const remote = conn.remoteAddr;
  return {
    readable,
    writable,
    remoteAddress: remote.hostname,
    remotePort: remote.port,
    localPort: conn.localAddr.port,
    close: closeConn,
    recycle: (chunk) => reader.recycle(chunk),
  };
}

async function listen(opts: { host: string; port: number; tls?: TlsServerOptions }, onConnection: (conn: Duplex) => void): Promise<TcpListener> {
  if (opts.tls) {
    return listenTls({ ...opts, tls: opts.tls }, onConnection, (error) => {
      log.error("connection handler failed on port {port}: {error}", { port: opts.port, error: String(error) });
    });
  }
  const listener = Deno.listen({ hostname: opts.host, port: opts.port, transport: "tcp" });
  const addr = listener.addr;
  let stopped = false;
  (async () => {
    while (!stopped) {
      let conn: Deno.TcpConn;
      try {
        conn = await listener.accept();
      } catch (error) {
        if (stopped) return;
        // A failed accept (EMFILE, a reset during the handshake) must not stop the listener.
        log.warn("accept on {host}:{port} failed: {error}", { host: addr.hostname, port: addr.port, error: String(error) });
        await new Promise((resolve) => setTimeout(resolve, ACCEPT_RETRY_MS));
        continue;
      }
      try {
        onConnection(wrapConn(conn));
      } catch (error) {
        // One broken connection handler must not take others down (invariant 5, ARCHITECTURE.md).
        log.error("connection handler failed on port {port}: {error}", { port: addr.port, error: String(error) });
        try {
          conn.close();
        } catch {
          // Already closed.
        }
      }
    }
  })();
  return {
    port: addr.port,
    host: addr.hostname,
    stop() {
      stopped = true;
      listener.close();
    },
  };
}

async function connect(opts: { host: string; port: number; tls?: TlsClientOptions }): Promise<Duplex> {
  if (opts.tls) {
    try {
      return await connectTls({ ...opts, tls: opts.tls });
    } catch (error) {
      throw await withRustlsReason(error, { ...opts, tls: opts.tls });
    }
  }
  return wrapConn(await Deno.connect({ hostname: opts.host, port: opts.port, transport: "tcp" }));
}

/**
 * Deno's node:tls reports every certificate problem as UNABLE_TO_VERIFY_LEAF_SIGNATURE; a second
 * handshake with Deno's own TLS (rustls) tells why (UnknownIssuer, Expired, NotValidForName), so
 * the operator's log line names the real reason. Only on failure, so it costs nothing otherwise.
 */
async function withRustlsReason(error: unknown, opts: { host: string; port: number; tls: TlsClientOptions }): Promise<unknown> {
  if ((error as { code?: string }).code !== "UNABLE_TO_VERIFY_LEAF_SIGNATURE" || opts.tls.verifyHostname === false) return error;
  try {
    const conn = await Deno.connectTls({
      hostname: opts.tls.serverName ?? opts.host,
      port: opts.port,
      caCerts: opts.tls.ca ? [opts.tls.ca] : undefined,
    });
    await conn.handshake();
    conn.close();
    return error;
  } catch (diagnosis) {
    return Object.assign(new Error(`${(error as Error).message}: ${(diagnosis as Error).message}`), { code: rustlsCode(String(diagnosis)) });
  }
}

function rustlsCode(message: string): string {
  if (/expired/i.test(message)) return "CERT_HAS_EXPIRED";
  if (/not ?valid ?yet/i.test(message)) return "CERT_NOT_YET_VALID";
  if (/not ?valid ?for ?name/i.test(message)) return "ERR_TLS_CERT_ALTNAME_INVALID";
  return "UNABLE_TO_VERIFY_LEAF_SIGNATURE";
}

async function serveHttp(
  opts: { host: string; port: number; tls?: { cert: string; key: string } },
  handler: (req: Request) => Response | Promise<Response>,
): Promise<HttpServer> {
  let resolveListening!: (port: number) => void;
  const listening = new Promise<number>((resolve) => (resolveListening = resolve));
  const server = Deno.serve(
    { hostname: opts.host, port: opts.port, onListen: (addr) => resolveListening(addr.port), ...(opts.tls ?? {}) },
    handler,
  );
  const port = await listening;
  return { port, stop: () => server.shutdown() };
}

async function writeFileAtomic(path: string, data: string): Promise<void> {
  const tempPath = `${path}.tmp-${Deno.pid}-${crypto.randomUUID()}`;
  const file = await Deno.open(tempPath, { write: true, create: true, truncate: true, mode: 0o600 });
  try {
    const bytes = new TextEncoder().encode(data);
    let offset = 0;
    while (offset < bytes.byteLength) offset += await file.write(bytes.subarray(offset));
    await file.sync();
  } finally {
    file.close();
  }
  await Deno.rename(tempPath, path);
  await syncDirectory(path.includes("/") ? path.slice(0, path.lastIndexOf("/")) || "/" : ".");
}

/** fsync the directory so the rename itself survives a crash (best effort off Linux). */
async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await Deno.open(dir, { read: true });
    try {
      await handle.sync();
    } finally {
      handle.close();
    }
  } catch {
    // Some platforms cannot open or fsync a directory; the rename is still atomic.
  }
}

async function fileExists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

export const denoRuntime: Runtime = {
  name: "deno",
  listen,
  connect,
  serveHttp,
  onSignal(signal, handler) {
    Deno.addSignalListener(signal, handler);
  },
  readTextFile: (path) => Deno.readTextFile(path),
  writeFileAtomic,
  fileExists,
  fileStamp: async (path) => {
    try {
      const s = await Deno.stat(path);
      return `${s.mtime?.getTime() ?? ""}/${s.size}/${s.ino ?? ""}`;
    } catch {
      return undefined;
    }
  },
  appendTextFile: (path, data) => Deno.writeTextFile(path, data, { append: true, create: true, mode: 0o600 }),
  fileMode: async (path) => {
    const mode = (await Deno.stat(path)).mode;
    return mode === null ? undefined : mode & 0o777;
  },
  mkdirp: (path) => Deno.mkdir(path, { recursive: true }),
  env: (name) => Deno.env.get(name),
  stdoutIsTerminal: () => Deno.stdout.isTerminal(),
  args: () => [...Deno.args],
  exit: (code) => Deno.exit(code),
};
