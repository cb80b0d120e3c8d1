// The PEM files of `backing.tls`, read once at start into what the runtime's TLS connect takes.
import type { Config } from "../config/schema.ts";
import type { Runtime, TlsClientOptions } from "../runtime/types.ts";

export async function loadBackingTls(runtime: Runtime, tls: Config["backing"]["tls"]): Promise<TlsClientOptions | undefined> {
  if (!tls) return undefined;
  const read = (path: string | undefined) => (path === undefined ? undefined : runtime.readTextFile(path));
  return { ca: await read(tls.ca), cert: await read(tls.cert), key: await read(tls.key), verifyHostname: tls.verifyHostname };
}
