// kgate's own connection to the backing cluster for lookups (topic ids), opened on first use and
// reopened after a failure.
import { KafkaConnection } from "../client/kafka-connection.ts";
import type { SaslCredentials } from "../client/sasl-login.ts";
import type { BackingAddress } from "../gateway/broker-directory.ts";
import type { Runtime, TlsClientOptions } from "../runtime/types.ts";
import type { MetadataLookup } from "./topic-id-directory.ts";

export function createBackingLookup(
  runtime: Runtime,
  addresses: readonly BackingAddress[],
  sasl?: SaslCredentials,
  tls?: TlsClientOptions,
): MetadataLookup {
  let conn: Promise<KafkaConnection> | null = null;
  return async (apiKey, version, body) => {
    if (conn === null || (await conn.catch(() => null))?.closed !== false) {
      conn = KafkaConnection.open(runtime, addresses, { sasl, tls, clientId: "kgate-lookup" });
    }
    return (await conn).request(apiKey, version, body);
  };
}
