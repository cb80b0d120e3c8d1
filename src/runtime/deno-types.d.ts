// Just enough of the Deno namespace for `tsc` (whose types are Bun's) to check deno.ts and
// index.ts. `deno check` ignores this file and uses Deno's own declarations.
declare namespace Deno {
  interface NetAddr {
    transport: "tcp";
    hostname: string;
    port: number;
  }
  interface TcpConn {
    readonly localAddr: NetAddr;
    readonly remoteAddr: NetAddr;
    read(p: Uint8Array): Promise<number | null>;
    write(p: Uint8Array): Promise<number>;
    closeWrite(): Promise<void>;
    close(): void;
    setNoDelay(noDelay?: boolean): void;
  }
  interface TlsConn {
    handshake(): Promise<unknown>;
    close(): void;
  }
  interface TcpListener {
    accept(): Promise<TcpConn>;
    readonly addr: NetAddr;
    close(): void;
  }
  interface FsFile {
    write(p: Uint8Array): Promise<number>;
    sync(): Promise<void>;
    close(): void;
  }
  interface HttpServer {
    shutdown(): Promise<void>;
  }
  const pid: number;
  const args: string[];
  const env: { get(name: string): string | undefined };
  const stdout: { isTerminal(): boolean };
  // deno-lint-ignore no-explicit-any -- Deno declares its error constructors with any[] arguments
  const errors: { NotFound: new (...args: any[]) => Error };
  function listen(opts: { hostname: string; port: number; transport: "tcp" }): TcpListener;
  function connect(opts: { hostname: string; port: number; transport: "tcp" }): Promise<TcpConn>;
  function connectTls(opts: { hostname: string; port: number; caCerts?: string[] }): Promise<TlsConn>;
  function serve(
    opts: { hostname: string; port: number; onListen?: (addr: NetAddr) => void },
    handler: (req: Request) => Response | Promise<Response>,
  ): HttpServer;
  function open(
    path: string,
    opts: { read?: boolean; write?: boolean; create?: boolean; truncate?: boolean; mode?: number },
  ): Promise<FsFile>;
  function rename(from: string, to: string): Promise<void>;
  function stat(path: string): Promise<{ mode: number | null; mtime: Date | null; size: number; ino: number | null }>;
  function mkdir(path: string, opts?: { recursive?: boolean }): Promise<void>;
  function readTextFile(path: string): Promise<string>;
  function writeTextFile(path: string, data: string, opts?: { append?: boolean; create?: boolean; mode?: number }): Promise<void>;
  function addSignalListener(signal: "SIGINT" | "SIGTERM" | "SIGHUP", handler: () => void): void;
  function exit(code?: number): never;
}
