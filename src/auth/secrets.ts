import type { Config } from "../config/schema.ts";
import type { StateStore } from "../store/state-store.ts";
import { randomSecret } from "./random.ts";

export interface ResolvedSecrets {
  readonly adminToken: string;
  readonly tokenSecret: string;
  /** True on the first start without `admin.token`: tell the operator where the token is kept. */
  readonly adminTokenGenerated: boolean;
}

/**
 * Secrets from the config win; otherwise a value generated once and kept in the store, so that
 * tokens stay valid across restarts (and across nodes sharing a store).
 */
export async function resolveSecrets(config: Config, store: StateStore): Promise<ResolvedSecrets> {
  const hadAdminToken = store.getSecret("adminToken") !== undefined;
  const adminToken = config.admin.token ?? (await store.ensureSecret("adminToken", () => randomSecret()));
  const tokenSecret = config.auth.tokenSecret ?? (await store.ensureSecret("tokenSecret", () => randomSecret()));
  return { adminToken, tokenSecret, adminTokenGenerated: config.admin.token === undefined && !hadAdminToken };
}
