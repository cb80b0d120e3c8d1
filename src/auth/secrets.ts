// kgate's own secrets: the admin API token and the key that signs client tokens. They come from
// the config (or env), else from key files next to the file store, readable by kgate's user only
// (mode 0600). Never from the store: a Kafka state topic can be read by any Kafka client allowed
// to, and whoever holds these can mint tokens or call the admin API (invariant 6).
import type { Config } from "../config/schema.ts";
import { getLogger } from "../base/log.ts";
import type { Runtime } from "../runtime/types.ts";
import type { StateStore } from "../store/state-store.ts";
import { randomSecret } from "./random.ts";

const log = getLogger("auth.secrets");

export type SecretFiles = Pick<Runtime, "readTextFile" | "writeFileAtomic" | "fileExists" | "fileMode" | "mkdirp">;

export interface ResolvedSecrets {
  readonly adminToken: string;
  readonly tokenSecret: string;
  /** True when this start generated the admin token: tell the operator where it is. */
  readonly adminTokenGenerated: boolean;
  /** The key file holding the admin token, when it is not configured. */
  readonly adminTokenFile?: string;
}

const MIN_ADMIN_TOKEN_LENGTH = 16;
const MIN_TOKEN_SECRET_LENGTH = 32;

/** The key files kgate keeps next to `store.path` (its directory is kgate's local data directory). */
export function keyFilePaths(storePath: string): { readonly adminToken: string; readonly tokenSecret: string } {
  const cut = Math.max(storePath.lastIndexOf("/"), storePath.lastIndexOf("\\"));
  const dir = cut > 0 ? storePath.slice(0, cut) : cut === 0 ? "" : ".";
  return { adminToken: `${dir}/admin-token`, tokenSecret: `${dir}/token-secret` };
}

/**
 * Config values win; otherwise the key file's, created on first start. A secret an older kgate
 * kept in a local store file moves to its key file (tokens and the admin token stay valid); one
 * it kept in a Kafka topic is not used. Either way the store is rid of it afterwards.
 */
export async function resolveSecrets(config: Config, store: StateStore, files: SecretFiles): Promise<ResolvedSecrets> {
  const paths = keyFilePaths(config.store.path);
  const legacy = store.legacySecrets();
  if (config.auth.tokenSecret === undefined && config.store.type === "kafka") {
    // The config schema refuses this already; kept so no other caller can end up with per-node keys.
    throw new Error("auth.tokenSecret: required with store.type: kafka");
  }
  const tokenSecret = config.auth.tokenSecret ?? (await keyFileSecret(paths.tokenSecret, legacy.tokenSecret, MIN_TOKEN_SECRET_LENGTH, files)).value;
  const admin = config.admin.token === undefined ? await keyFileSecret(paths.adminToken, legacy.adminToken, MIN_ADMIN_TOKEN_LENGTH, files) : undefined;

  const dropped = await store.dropLegacySecrets();
  if (dropped.length > 0) {
    log.warning("removed secrets an older kgate kept in the store ({names}); kgate keeps them in config or key files now", {
      names: dropped.join(", "),
    });
  }
  return {
    adminToken: config.admin.token ?? admin!.value,
    tokenSecret,
    adminTokenGenerated: admin?.created ?? false,
    ...(admin ? { adminTokenFile: paths.adminToken } : {}),
  };
}

async function keyFileSecret(
  path: string,
  legacy: string | undefined,
  minLength: number,
  files: SecretFiles,
): Promise<{ value: string; created: boolean }> {
  if (await files.fileExists(path)) {
    // Like ssh with a private key: a secret others can read is no secret, so say so and stop.
    const mode = await files.fileMode(path);
    if (mode !== undefined && (mode & 0o077) !== 0) {
      throw new Error(`${path}: readable by other users (mode 0${mode.toString(8)}); run chmod 600 ${path}`);
    }
    const value = (await files.readTextFile(path)).trim();
    if (value.length < minLength) throw new Error(`${path}: must hold a secret of at least ${minLength} characters`);
    return { value, created: false };
  }
  const value = legacy ?? randomSecret();
  const dir = path.slice(0, path.lastIndexOf("/"));
  if (dir) await files.mkdirp(dir);
  // writeFileAtomic creates the file with mode 0600.
  await files.writeFileAtomic(path, `${value}\n`);
  if (legacy !== undefined) log.info("moved a secret from the store to {path}", { path });
  return { value, created: legacy === undefined };
}
