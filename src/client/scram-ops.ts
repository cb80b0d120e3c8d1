// SCRAM credential administration with kgate's own client (AlterUserScramCredentials, Kafka
// 2.7+ and KRaft): the backing cluster computes StoredKey/ServerKey from the salted password,
// so the password itself never crosses the wire.
import type { AlterUserScramCredentialsResponse } from "../protocol/messages/alter-user-scram-credentials-response.ts";
import { encoder, HASHES, pbkdf2, type ScramMechanism } from "../sasl/scram-primitives.ts";
import type { KafkaConnection } from "./kafka-connection.ts";
import { KafkaError } from "./kafka-errors.ts";

const ALTER_USER_SCRAM_CREDENTIALS = { key: 51, version: 0 } as const;
/** org.apache.kafka.clients.admin.ScramMechanism's wire codes. */
const MECHANISM_CODE: Record<ScramMechanism, number> = { "SCRAM-SHA-256": 1, "SCRAM-SHA-512": 2 };
/** The broker's answer when a deletion names a credential it does not have. */
const RESOURCE_NOT_FOUND = 91;

async function alter(conn: KafkaConnection, user: string, body: unknown, what: string, tolerate: readonly number[] = []): Promise<void> {
  const res = await conn.requestUntyped<AlterUserScramCredentialsResponse>(ALTER_USER_SCRAM_CREDENTIALS.key, ALTER_USER_SCRAM_CREDENTIALS.version, body);
  const result = res.results.find((r) => r.user === user) ?? res.results[0];
  if (!result) throw new Error(`AlterUserScramCredentials for ${user} returned no result`);
  if (result.errorCode !== 0 && !tolerate.includes(result.errorCode)) {
    throw new KafkaError(result.errorCode, `${what} the SCRAM credential of ${user}`, result.errorMessage);
  }
}

/** Creates or replaces `user`'s credential for `mechanism`. */
export async function upsertScramCredential(
  conn: KafkaConnection,
  user: string,
  mechanism: ScramMechanism,
  password: string,
  iterations: number,
): Promise<void> {
  const { hash, bits } = HASHES[mechanism];
  const salt = crypto.getRandomValues(new Uint8Array(32));
  const saltedPassword = await pbkdf2(hash, bits, encoder.encode(password), salt, iterations);
  await alter(conn, user, {
    deletions: [],
    upsertions: [{ name: user, mechanism: MECHANISM_CODE[mechanism], iterations, salt, saltedPassword }],
  }, "setting");
}

/** Removes `user`'s credential for `mechanism`; one that does not exist is no error. */
export async function deleteScramCredential(conn: KafkaConnection, user: string, mechanism: ScramMechanism): Promise<void> {
  await alter(conn, user, { deletions: [{ name: user, mechanism: MECHANISM_CODE[mechanism] }], upsertions: [] }, "deleting", [RESOURCE_NOT_FOUND]);
}
