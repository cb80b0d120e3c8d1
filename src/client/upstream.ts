// Connections from kgate to the backing cluster: failover across addresses, then kgate's own
// SASL login when the config asks for one.
import { type SaslCredentials, saslLogin } from "./sasl-login.ts";
import { SequentialExchange } from "./sequential-exchange.ts";
import type { Duplex, Runtime, TlsClientOptions } from "../runtime/types.ts";
import type { BackingAddress } from "./backing-address.ts";
import { describe } from "../base/describe.ts";

export interface UpstreamOptions {
  runtime: Runtime;
  sasl?: SaslCredentials;
  /** TLS to the brokers (SASL, if any, runs on top: SASL_SSL). */
  tls?: TlsClientOptions;
  clientId?: string;
}

/** Why a TLS handshake failed, in the words an operator looks for. */
function tlsReason(e: unknown): string | null {
  const code = (e as { code?: string }).code ?? "";
  const reasons: Record<string, string> = {
    UNABLE_TO_VERIFY_LEAF_SIGNATURE: "unknown CA",
    UNABLE_TO_GET_ISSUER_CERT_LOCALLY: "unknown CA",
    SELF_SIGNED_CERT_IN_CHAIN: "unknown CA",
    DEPTH_ZERO_SELF_SIGNED_CERT: "unknown CA (self-signed certificate)",
    ERR_TLS_CERT_ALTNAME_INVALID: "hostname mismatch",
    CERT_HAS_EXPIRED: "certificate expired",
    CERT_NOT_YET_VALID: "certificate not yet valid",
  };
  const known = reasons[code];
  if (known) return `TLS handshake failed: ${known} (${code})`;
  return /ssl|tls|certificate|handshake/i.test(String((e as Error).message)) ? `TLS handshake failed: ${(e as Error).message}` : null;
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
      conn = await options.runtime.connect({ ...a, tls: options.tls });
    } catch (e) {
      const tls = options.tls ? tlsReason(e) : null;
      failures.push(`${a.host}:${a.port}: ${tls ?? describe(e)}`);
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
