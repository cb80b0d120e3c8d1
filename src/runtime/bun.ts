/// <reference types="@types/bun" />
// Runtime adapter for Bun. Bun sockets are callback-based (one handler set shared by all
// sockets, state in `socket.data`); this file turns each into Web Streams with backpressure.
import { appendFile, mkdir, open, rename, stat } from "node:fs/promises";
import { dirname } from "node:path";
import { getLogger } from "../base/log.ts";
import { connectTls, listenTls } from "./node-tls.ts";
import type { Duplex, HttpServer, Runtime, TcpListener, TlsClientOptions, TlsServerOptions } from "./types.ts";

const log = getLogger("runtime");

/**
 * Bytes the readable may queue before we pause the socket. Bun hands over up to 512 KiB per
 * `data` callback, so a stalled reader holds at most ~1.5 MiB per connection in JS. 256 KiB
 * to 4 MiB all forwarded at the same speed in scripts/bench-forward.ts.
 */
const READ_HIGH_WATER_BYTES = 1 << 20;

/** Per-socket state, kept in `socket.data` so the handlers can stay shared. */
interface SocketState {
  readController: ReadableStreamDefaultController<Uint8Array> | null;
  /** Chunks that arrived before the readable existed (between connect and wrapSocket). */
  early: Uint8Array[] | null;
  readDone: boolean;
  paused: boolean;
  /** Unwritten tail of the chunk in flight, written from the `drain` callback. */
  pendingWrite: Uint8Array | null;
  drainWaiter: { resolve: () => void; reject: (e: Error) => void } | null;
  closed: boolean;
  closeError: Error | null;
}

type BunSocket = Bun.Socket<SocketState>;

function newState(): SocketState {
  return {
    readController: null,
    early: null,
    readDone: false,
    paused: false,
    pendingWrite: null,
    drainWaiter: null,
    closed: false,
    closeError: null,
  };
}

function finishReadable(state: SocketState, error: Error | null): void {
  if (state.readDone) return;
  state.readDone = true;
  const controller = state.readController;
  if (!controller) return;
  if (error) controller.error(error);
  else controller.close();
}

function wrapSocket(socket: BunSocket): Duplex {
  const state = socket.data;
  socket.setNoDelay(true);

  const readable = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        state.readController = controller;
        for (const chunk of state.early ?? []) controller.enqueue(chunk);
        state.early = null;
      },
      pull() {
        if (state.paused && !state.closed) {
          state.paused = false;
          socket.resume();
        }
      },
      cancel() {
        state.readDone = true;
        socket.end();
      },
    },
    { highWaterMark: READ_HIGH_WATER_BYTES, size: (chunk) => chunk!.byteLength },
  );

  const writable = new WritableStream<Uint8Array>({
    // Returning nothing when the kernel took the whole chunk avoids a promise per chunk in
    // the common case; a partial write parks the tail until `drain`.
    write(chunk) {
      if (state.closed) throw state.closeError ?? new Error("connection closed");
      const written = socket.write(chunk);
      if (written === chunk.byteLength) return;
      if (written < 0) throw state.closeError ?? new Error("connection closed");
      state.pendingWrite = chunk.subarray(written);
      return new Promise<void>((resolve, reject) => {
        state.drainWaiter = { resolve, reject };
      });
    },
    close() {
      // shutdown(), not end(): end() also stops reading, and the peer may still answer.
      if (!state.closed) socket.shutdown();
    },
    abort() {
      socket.end();
    },
  });

  return {
    readable,
    writable,
    remoteAddress: socket.remoteAddress,
    remotePort: socket.remotePort,
    localPort: socket.localPort,
    close: () => socket.end(),
  };
}

/** Handlers shared by every socket (Bun's design: no per-socket closures). */
const sharedHandlers = {
  binaryType: "uint8array",
  // Bun allocates a fresh ArrayBuffer for every `data` call (checked on Bun 1.4: contents
  // stay intact after later reads), so the chunk is enqueued without copying.
  data(socket: BunSocket, chunk: Uint8Array) {
    const state = socket.data;
    const controller = state.readController;
    if (!controller) {
      (state.early ??= []).push(chunk);
      return;
    }
    if (state.readDone) return;
    controller.enqueue(chunk);
    if (!state.paused && (controller.desiredSize ?? 0) <= 0) {
      state.paused = true;
      socket.pause();
    }
  },
  drain(socket: BunSocket) {
    const state = socket.data;
    const pending = state.pendingWrite;
    if (!pending) return;
    const written = socket.write(pending);
    if (written === pending.byteLength) {
      state.pendingWrite = null;
      const waiter = state.drainWaiter;
      state.drainWaiter = null;
      waiter?.resolve();
    } else if (written > 0) {
      state.pendingWrite = pending.subarray(written);
    }
  },
  end(socket: BunSocket) {
    finishReadable(socket.data, null);
  },
  error(socket: BunSocket, error: Error) {
    socket.data.closeError = error;
  },
  close(socket: BunSocket, error?: Error) {
    const state = socket.data;
    state.closed = true;
    const failure = error ?? state.closeError;
    if (failure) state.closeError = failure;
    // After our own shutdown() Bun reports the peer's FIN as `close`, not `end`.
    finishReadable(state, failure);
    const waiter = state.drainWaiter;
    state.drainWaiter = null;
    state.pendingWrite = null;
    waiter?.reject(failure ?? new Error("connection closed before the write completed"));
  },
} as const;

async function listen(opts: { host: string; port: number; tls?: TlsServerOptions }, onConnection: (conn: Duplex) => void): Promise<TcpListener> {
  if (opts.tls) {
    return listenTls({ ...opts, tls: opts.tls }, onConnection, (error) => {
      log.error("connection handler failed on port {port}: {error}", { port: opts.port, error: String(error) });
    });
  }
  const listener = Bun.listen<SocketState>({
    hostname: opts.host,
    port: opts.port,
    allowHalfOpen: true,
    socket: {
      ...sharedHandlers,
      open(socket) {
        socket.data = newState();
        try {
          onConnection(wrapSocket(socket));
        } catch (error) {
          // One broken connection handler must not take others down (invariant 5, ARCHITECTURE.md).
          log.error("connection handler failed on port {port}: {error}", { port: opts.port, error: String(error) });
          socket.end();
        }
      },
    },
  });
  return { port: listener.port, host: listener.hostname, stop: () => listener.stop(false) };
}

async function connect(opts: { host: string; port: number; tls?: TlsClientOptions }): Promise<Duplex> {
  if (opts.tls) return connectTls({ ...opts, tls: opts.tls });
  // State exists before `open`, so data arriving before the caller resumes is queued.
  const socket = await Bun.connect<SocketState>({
    hostname: opts.host,
    port: opts.port,
    allowHalfOpen: true,
    data: newState(),
    socket: sharedHandlers,
  });
  return wrapSocket(socket);
}

async function serveHttp(
  opts: { host: string; port: number; tls?: { cert: string; key: string } },
  handler: (req: Request) => Response | Promise<Response>,
): Promise<HttpServer> {
  const server = Bun.serve({ hostname: opts.host, port: opts.port, fetch: handler, ...(opts.tls ? { tls: opts.tls } : {}) });
  return { port: server.port ?? opts.port, stop: async () => void (await server.stop()) };
}

async function writeFileAtomic(path: string, data: string): Promise<void> {
  const tempPath = `${path}.tmp-${process.pid}-${crypto.randomUUID()}`;
  const file = await open(tempPath, "w", 0o600);
  try {
    await file.writeFile(data);
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(tempPath, path);
  await syncDirectory(dirname(path));
}

/** fsync the directory so the rename itself survives a crash (best effort off Linux). */
async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, "r");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Some platforms cannot open or fsync a directory; the rename is still atomic.
  }
}

export const bunRuntime: Runtime = {
  name: "bun",
  listen,
  connect,
  serveHttp,
  onSignal(signal, handler) {
    process.on(signal, handler);
  },
  readTextFile: (path) => Bun.file(path).text(),
  writeFileAtomic,
  fileExists: (path) => Bun.file(path).exists(),
  fileStamp: async (path) => {
    try {
      const s = await stat(path);
      return `${s.mtimeMs}/${s.size}/${s.ino}`;
    } catch {
      return undefined;
    }
  },
  appendTextFile: (path, data) => appendFile(path, data, { mode: 0o600 }),
  fileMode: async (path) => (process.platform === "win32" ? undefined : (await stat(path)).mode & 0o777),
  mkdirp: async (path) => void (await mkdir(path, { recursive: true })),
  env: (name) => Bun.env[name],
  stdoutIsTerminal: () => process.stdout.isTTY === true,
  args: () => Bun.argv.slice(2),
  exit: (code) => process.exit(code),
};
