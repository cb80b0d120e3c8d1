// The runtime-neutral surface. Only src/runtime/*.ts touch Bun.* or Deno.*; everything else
// programs against these types.

/** A TCP connection as a pair of Web Streams with backpressure both ways. */
export interface Duplex {
  readonly readable: ReadableStream<Uint8Array>;
  readonly writable: WritableStream<Uint8Array>;
  readonly remoteAddress: string;
  /** Close both directions now (errors pending writes). */
  close(): void;
}

export interface TcpListener {
  readonly port: number;
  readonly host: string;
  /** Stop accepting; existing connections stay open. */
  stop(): void;
}

export interface HttpServer {
  readonly port: number;
  stop(): Promise<void>;
}

export interface Runtime {
  readonly name: "bun" | "deno";
  listen(opts: { host: string; port: number }, onConnection: (conn: Duplex) => void): Promise<TcpListener>;
  connect(opts: { host: string; port: number }): Promise<Duplex>;
  serveHttp(opts: { host: string; port: number }, handler: (req: Request) => Response | Promise<Response>): Promise<HttpServer>;
  onSignal(signal: "SIGINT" | "SIGTERM", handler: () => void): void;
  readTextFile(path: string): Promise<string>;
  /** Atomic replace: write a temp file next to `path`, fsync it, rename over `path`. */
  writeFileAtomic(path: string, data: string): Promise<void>;
  fileExists(path: string): Promise<boolean>;
  mkdirp(path: string): Promise<void>;
  env(name: string): string | undefined;
  args(): string[];
  exit(code: number): never;
}
