// Connections from kgate to the backing cluster: failover across addresses, then kgate's own
// SASL login when the config asks for one.
import { saslLogin, type SaslCredentials } from "../client/sasl-login.ts";
import { SequentialExchange } from "../client/sequential-exchange.ts";
import type { Duplex, Runtime } from "../runtime/types.ts";
import type { BackingAddress } from "./broker-directory.ts";
import { describe } from "./session.ts";

export interface UpstreamOptions {
  runtime: Runtime;
  sasl?: SaslCredentials;
  clientId?: string;
}

let rotation = 0;

/** Connects to the first address that answers, starting at a rotating position. */
export async function connectUpstream(addresses: readonly BackingAddress[], options: UpstreamOptions): Promise<Duplex> {
  const failures: string[] = [];
  const start = rotation++ % addresses.length;
  for (let i = 0; i < addresses.length; i++) {
    const a = addresses[(start + i) % addresses.length]!;
    let conn: Duplex;
    try {
      conn = await options.runtime.connect(a);
    } catch (e) {
      failures.push(`${a.host}:${a.port}: ${describe(e)}`);
      continue;
    }
    if (options.sasl) {
      const exchange = new SequentialExchange(conn, options.clientId ?? "kgate");
      try {
        await saslLogin(exchange, options.sasl);
      } catch (e) {
        conn.close();
        throw e; // a refused login is not a reason to try the next broker
      } finally {
        exchange.release();
      }
    }
    return conn;
  }
  throw new Error(`no backing broker reachable: ${failures.join("; ")}`);
}

export function parseHostPort(s: string): BackingAddress {
  const i = s.lastIndexOf(":");
  return { host: s.slice(0, i).replace(/^\[|\]$/g, ""), port: Number(s.slice(i + 1)) };
}
