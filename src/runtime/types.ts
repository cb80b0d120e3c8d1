// The runtime-neutral surface. Only src/runtime/*.ts touch Bun.* or Deno.*; everything else
// programs against these types.

/**
 * A TCP connection as a pair of Web Streams with backpressure both ways.
 *
 * Both adapters (bun.ts, deno.ts) give the same semantics, so sessions need not care:
 * - `readable` yields the bytes as received (no copies where the runtime allows); it stops
 *   reading from the kernel while its queue is full, and closes on the peer's FIN.
 * - `writable.write()` resolves once the kernel has accepted every byte of the chunk; the
 *   chunk must not be mutated before that. `writable.close()` sends FIN (half-close): the
 *   readable keeps delivering until the peer closes its side too.
 * - The socket is released once both directions have finished. Cancelling the readable,
 *   aborting the writable, or `close()` drops the whole connection at once.
 * - TCP_NODELAY is on (Kafka clients set it too; requests are latency-bound).
 */
export interface Duplex {
  readonly readable: ReadableStream<Uint8Array>;
  readonly writable: WritableStream<Uint8Array>;
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** The local port of this connection (on a listener: which port the client dialled). */
  readonly localPort: number;
  /** Set on TLS connections: what the handshake established. */
  readonly tls?: TlsPeer;
  /** Close both directions now (errors pending writes). */
  close(): void;
  /**
   * Hands back a chunk `readable` yielded once nothing refers to it any more (its bytes were
   * written on and that write completed): the adapter may read into its memory again instead
   * of allocating (fresh memory costs the kernel a zeroed page per 4 KiB). Only the chunk object
   * the readable yielded counts, not a view of part of it. Absent where the runtime allocates
   * every read itself (Bun).
   */
  recycle?(chunk: Uint8Array): void;
}

/** The peer of a TLS connection. */
export interface TlsPeer {
  /** The peer's certificate verified against the configured CA. */
  readonly authorized: boolean;
  readonly authorizationError?: string;
  /** Subject DN of the peer's certificate ("CN=alice,O=tenant"), if it sent one. */
  readonly subject?: string;
  /** Its subject alternative names as "DNS:host", "URI:…", "email:…". */
  readonly subjectAltNames: readonly string[];
  /** The SNI host name the client asked for (server side). */
  readonly serverName?: string;
}

/** PEM contents (not paths) for a TLS listener. */
export interface TlsServerOptions {
  readonly cert: string;
  readonly key: string;
  /** CA for client certificates. */
  readonly ca?: string;
  readonly clientAuth: "none" | "requested" | "required";
}

/** PEM contents for a TLS client connection; no `ca` means the system roots. */
export interface TlsClientOptions {
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
  readonly serverName?: string;
  readonly verifyHostname?: boolean;
}

export interface TcpListener {
  readonly port: number;
  readonly host: string;
  /** Stop accepting; existing connections stay open. */
  stop(): void;
  /** TLS listeners: new handshakes use these certificates, open connections keep theirs. */
  updateTls?(tls: TlsServerOptions): void;
}

export interface HttpServer {
  readonly port: number;
  stop(): Promise<void>;
}

export interface Runtime {
  readonly name: "bun" | "deno";
  listen(opts: { host: string; port: number; tls?: TlsServerOptions }, onConnection: (conn: Duplex) => void): Promise<TcpListener>;
  connect(opts: { host: string; port: number; tls?: TlsClientOptions }): Promise<Duplex>;
  serveHttp(
    opts: { host: string; port: number; tls?: { cert: string; key: string } },
    handler: (req: Request) => Response | Promise<Response>,
  ): Promise<HttpServer>;
  onSignal(signal: "SIGINT" | "SIGTERM" | "SIGHUP", handler: () => void): void;
  readTextFile(path: string): Promise<string>;
  /**
   * Atomic replace: write a temp file next to `path`, fsync it, rename over `path`. The file is
   * created with mode 0600 (owner only): stores and key files hold what others must not read.
   */
  writeFileAtomic(path: string, data: string): Promise<void>;
  fileExists(path: string): Promise<boolean>;
  /**
   * A stamp that changes whenever the file at `path` does (modification time, size, inode,
   * following symlinks), or undefined when there is none. Polled to watch a config file: an
   * editor's or Kubernetes' replace-by-rename loses an inotify watch on the file, a stamp does not.
   */
  fileStamp(path: string): Promise<string | undefined>;
  /** Appends `data` to a file, creating it (mode 0600) when missing. */
  appendTextFile(path: string, data: string): Promise<void>;
  /** The permission bits of `path` (e.g. 0o600), or undefined where the platform has none. */
  fileMode(path: string): Promise<number | undefined>;
  mkdirp(path: string): Promise<void>;
  env(name: string): string | undefined;
  /** Whether stdout is an interactive terminal (a secret may be shown there, never in a log or pipe). */
  stdoutIsTerminal(): boolean;
  args(): string[];
  exit(code: number): never;
}
