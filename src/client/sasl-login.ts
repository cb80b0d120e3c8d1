// Client-side SASL login (SaslHandshake v1 + SaslAuthenticate v2), used for kgate's own
// connections to the backing cluster.
import type { SaslAuthenticateResponse } from "../protocol/messages/sasl-authenticate-response.ts";
import type { SaslHandshakeResponse } from "../protocol/messages/sasl-handshake-response.ts";
import { plainClientMessage } from "../sasl/plain.ts";
import { ScramClient } from "../sasl/scram.ts";
import { cachedSaltPassword } from "./salted-password-cache.ts";
import type { SequentialExchange } from "./sequential-exchange.ts";
import { ApiKey } from "../protocol/messages/api-keys.ts";

export interface SaslCredentials {
  mechanism: "PLAIN" | "SCRAM-SHA-256" | "SCRAM-SHA-512";
  username: string;
  password: string;
}

export class SaslLoginError extends Error {
  override name = "SaslLoginError";
}

const SASL_HANDSHAKE = ApiKey.SaslHandshake;
const SASL_AUTHENTICATE = ApiKey.SaslAuthenticate;

export async function saslLogin(exchange: SequentialExchange, creds: SaslCredentials): Promise<void> {
  const hs = await exchange.request<SaslHandshakeResponse>(SASL_HANDSHAKE, 1, { mechanism: creds.mechanism });
  if (hs.errorCode !== 0) {
    throw new SaslLoginError(`backing broker refused SASL mechanism ${creds.mechanism} (error ${hs.errorCode}; it offers ${hs.mechanisms.join(", ")})`);
  }
  const authenticate = async (authBytes: Uint8Array): Promise<Uint8Array> => {
    const res = await exchange.request<SaslAuthenticateResponse>(SASL_AUTHENTICATE, 2, { authBytes });
    if (res.errorCode !== 0) {
      throw new SaslLoginError(`backing SASL ${creds.mechanism} login as ${creds.username} failed: ${res.errorMessage ?? `error ${res.errorCode}`}`);
    }
    return res.authBytes;
  };
  if (creds.mechanism === "PLAIN") {
    await authenticate(plainClientMessage(creds.username, creds.password));
    return;
  }
  const scram = new ScramClient(creds.mechanism, creds.username, creds.password, { saltPassword: cachedSaltPassword });
  const serverFirst = await authenticate(await scram.clientFirst());
  const serverFinal = await authenticate(await scram.clientFinal(serverFirst));
  await scram.verifyServerFinal(serverFinal);
}
