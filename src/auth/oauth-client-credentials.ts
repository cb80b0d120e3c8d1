// The client_credentials check of kgate's token endpoint: a SCRAM service account's login
// ("user@vcluster") and password. kgate keeps no password, so the SCRAM StoredKey is derived again
// with the stored salt and iterations and compared. An unknown account costs the same derivation,
// so the answer's timing does not tell whether an account exists.
import { constantTimeEqual, encoder, fromBase64, HASHES, hmac, pbkdf2, type ScramMechanism } from "../sasl/scram-primitives.ts";
import type { ScramCredential } from "../sasl/scram-server.ts";

export interface ClientAccount {
  readonly vcluster: string;
  readonly username: string;
  readonly credential: ScramCredential;
  readonly mechanism: ScramMechanism;
}

async function storedKeyOf(mechanism: ScramMechanism, password: string, salt: Uint8Array<ArrayBuffer>, iterations: number): Promise<Uint8Array> {
  const { hash, bits } = HASHES[mechanism];
  const salted = await pbkdf2(hash, bits, encoder.encode(password), salt, iterations);
  return new Uint8Array(await crypto.subtle.digest(hash, await hmac(hash, salted, "Client Key")));
}

/** True when `secret` is the account's password; with no account, false after the same work. */
export async function clientSecretMatches(account: ClientAccount | undefined, secret: string, decoyIterations: number): Promise<boolean> {
  if (!account) {
    await storedKeyOf("SCRAM-SHA-512", secret, crypto.getRandomValues(new Uint8Array(32)), decoyIterations);
    return false;
  }
  const { credential, mechanism } = account;
  const derived = await storedKeyOf(mechanism, secret, fromBase64(credential.salt), credential.iterations);
  return constantTimeEqual(derived, fromBase64(credential.storedKey));
}
