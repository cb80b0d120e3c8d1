// TLS sockets for both runtimes, on `node:tls`: Bun and Deno both implement it, and it is the one
// TLS API that both serve with client-certificate requests, peer certificates, SNI and live
// certificate rotation (`setSecureContext`). Deno's own `listenTls` can neither request a
// client certificate nor report one. Plain TCP stays on each runtime's native sockets.
import { connect as tlsConnect, type ConnectionOptions, createServer, type PeerCertificate, type TLSSocket } from "node:tls";
import type { Duplex, TcpListener, TlsClientOptions, TlsPeer, TlsServerOptions } from "./types.ts";

/** Bytes the readable may queue before the socket is paused (as in the native adapters). */
const READ_HIGH_WATER_BYTES = 1 << 20;

function closeQuietly(controller: ReadableStreamDefaultController<Uint8Array>, error?: Error): void {
  try {
    if (error) controller.error(error);
    else controller.close();
  } catch {
    // Already closed or cancelled.
  }
}

/** The subject DN in RFC 4514 order of appearance, e.g. "CN=alice,O=tenant". */
function subjectDn(cert: PeerCertificate): string {
  const subject = cert.subject as unknown as Record<string, string | string[]> | undefined;
  if (!subject) return "";
  return Object.entries(subject)
    .flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => `${k}=${x}`) : [`${k}=${v}`]))
    .join(",");
}

function peerOf(sock: TLSSocket): TlsPeer {
  const cert = sock.getPeerCertificate();
  const hasCert = cert !== null && typeof cert === "object" && Object.keys(cert).length > 0;
  return {
    authorized: sock.authorized,
    authorizationError: sock.authorizationError ? String(sock.authorizationError) : undefined,
    subject: hasCert ? subjectDn(cert) : undefined,
    subjectAltNames: hasCert && cert.subjectaltname ? cert.subjectaltname.split(/,\s*/) : [],
    serverName: typeof (sock as { servername?: unknown }).servername === "string" ? (sock as { servername: string }).servername : undefined,
  };
}

/** A TLS socket as the Duplex of types.ts: read backpressure by pause/resume, writes resolve when flushed. */
function wrapTlsSocket(sock: TLSSocket): Duplex {
  sock.setNoDelay(true);
  let paused = false;
  const readable = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        sock.on("data", (chunk: Buffer) => {
          controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
          if (!paused && (controller.desiredSize ?? 0) <= 0) {
            paused = true;
            sock.pause();
          }
        });
        sock.on("end", () => closeQuietly(controller));
        sock.on("close", () => closeQuietly(controller));
        sock.on("error", (e) => closeQuietly(controller, e));
      },
      pull() {
        if (paused) {
          paused = false;
          sock.resume();
        }
      },
      cancel() {
        sock.destroy();
      },
    },
    { highWaterMark: READ_HIGH_WATER_BYTES, size: (chunk) => chunk!.byteLength },
  );
  const writable = new WritableStream<Uint8Array>({
    write(chunk) {
      if (sock.destroyed) throw new Error("connection closed");
      return new Promise<void>((resolve, reject) => {
        sock.write(chunk, (error) => (error ? reject(error) : resolve()));
      });
    },
    close() {
      sock.end(); // close_notify and FIN; the readable keeps delivering (allowHalfOpen)
    },
    abort() {
      sock.destroy();
    },
  });
  const peer = peerOf(sock);
  return {
    readable,
    writable,
    remoteAddress: sock.remoteAddress ?? "",
    remotePort: sock.remotePort ?? 0,
    localPort: sock.localPort ?? 0,
    tls: peer,
    close: () => sock.destroy(),
  };
}

function serverContext(tls: TlsServerOptions) {
  return {
    cert: tls.cert,
    key: tls.key,
    ca: tls.ca,
    requestCert: tls.clientAuth !== "none",
    // "required" is enforced by the handshake; "requested" lets clients without one through
    // (their identity then comes from SASL), which is what Kafka's ssl.client.auth means.
    rejectUnauthorized: tls.clientAuth === "required",
  };
}

export function listenTls(
  opts: { host: string; port: number; tls: TlsServerOptions },
  onConnection: (conn: Duplex) => void,
  onError: (error: unknown) => void,
): Promise<TcpListener> {
  const server = createServer({ ...serverContext(opts.tls), allowHalfOpen: true }, (sock) => {
    try {
      onConnection(wrapTlsSocket(sock));
    } catch (error) {
      onError(error);
      sock.destroy();
    }
  });
  // A failed handshake (wrong CA, plaintext client) concerns that client only.
  server.on("tlsClientError", () => {});
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.host, () => {
      server.off("error", reject);
      const address = server.address() as { port: number; address: string };
      resolve({
        port: address.port,
        host: address.address,
        stop: () => void server.close(),
        // New handshakes use the new certificate; open connections keep theirs.
        updateTls: (tls) => server.setSecureContext(serverContext(tls)),
      });
    });
  });
}

export function connectTls(opts: { host: string; port: number; tls: TlsClientOptions }): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    const options: ConnectionOptions = {
      host: opts.host,
      port: opts.port,
      servername: opts.tls.serverName ?? (/^[\d.]+$|:/.test(opts.host) ? undefined : opts.host),
      ca: opts.tls.ca,
      cert: opts.tls.cert,
      key: opts.tls.key,
      rejectUnauthorized: true,
    };
    if (opts.tls.verifyHostname === false) options.checkServerIdentity = () => undefined;
    const sock = tlsConnect(options);
    const fail = (error: Error) => {
      sock.destroy();
      reject(error);
    };
    sock.once("error", fail);
    sock.once("secureConnect", () => {
      sock.off("error", fail);
      resolve(wrapTlsSocket(sock));
    });
  });
}
