// kgate's own connection to the backing cluster for lookups (topic ids, ApiVersions), opened on
// first use and reopened after a failure. Every lookup, connecting included, has a timeout
// (invariant 4): a connection that let one lookup time out is dropped, since the next would
// likely hang as well.
import { KafkaConnection } from "../client/kafka-connection.ts";
import type { SaslCredentials } from "../client/sasl-login.ts";
import type { BackingAddress } from "../gateway/broker-directory.ts";
import type { Runtime, TlsClientOptions } from "../runtime/types.ts";
import { type MetadataLookup, withTimeout } from "../client/lookup.ts";
import { TOPIC_ID_DIRECTORY_DEFAULTS } from "./topic-id-directory.ts";

export function createBackingLookup(
  runtime: Runtime,
  addresses: readonly BackingAddress[],
  sasl?: SaslCredentials,
  tls?: TlsClientOptions,
  /** A function where the value may change (a config reload). */
  timeoutMs: number | (() => number) = TOPIC_ID_DIRECTORY_DEFAULTS.lookupTimeoutMs,
): MetadataLookup {
  let conn: Promise<KafkaConnection> | null = null;
  const connection = async (): Promise<KafkaConnection> => {
    if (conn === null || (await conn.catch(() => null))?.closed !== false) {
      conn = KafkaConnection.open(runtime, addresses, { sasl, tls, clientId: "kgate-lookup" });
    }
    return conn;
  };
  return async (apiKey, version, body) => {
    const attempt = connection();
    try {
      return await withTimeout(attempt.then((c) => c.requestUntyped(apiKey, version, body)), typeof timeoutMs === "number" ? timeoutMs : timeoutMs());
    } catch (e) {
      // Whatever failed, start afresh next time; a connection still opening is closed once open.
      const stale = conn;
      conn = null;
      void stale?.then((c) => c.close(), () => {});
      throw e;
    }
  };
}
