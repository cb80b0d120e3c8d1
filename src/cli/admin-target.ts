// Where the admin commands send requests and with which token. On the machine running kgate,
// both are found without flags (the token in the 0600 key file kgate generated next to its
// store), so `kgate vcluster create x` just works.
import { keyFilePaths } from "../auth/secrets.ts";
import { loadConfig } from "../config/load-config.ts";
import type { Runtime } from "../runtime/types.ts";
import { UsageError } from "./parse-args.ts";

export interface AdminTarget {
  readonly url: string;
  readonly token: string;
}

export interface AdminTargetFlags {
  readonly adminUrl?: string;
  readonly adminToken?: string;
  readonly config?: string;
}

type Files = Pick<Runtime, "readTextFile" | "fileExists" | "env">;

export async function resolveAdminTarget(flags: AdminTargetFlags, runtime: Files): Promise<AdminTarget> {
  const env = (name: string) => runtime.env(name);
  const config = await loadConfig({ path: flags.config, env, files: runtime });
  const host = ["0.0.0.0", "::", "[::]"].includes(config.admin.host) ? "127.0.0.1" : config.admin.host;
  const url = flags.adminUrl || env("KGATE_ADMIN_URL") || `http://${host.includes(":") ? `[${host}]` : host}:${config.admin.port}`;

  // config.admin.token already includes KGATE_ADMIN_TOKEN (see loadConfig).
  const token = flags.adminToken || config.admin.token || (await generatedAdminToken(config.store.path, runtime));
  if (!token) {
    throw new UsageError(
      "no admin token: pass --admin-token, set KGATE_ADMIN_TOKEN, or run on the kgate host with its --config",
    );
  }
  return { url, token };
}

async function generatedAdminToken(storePath: string, runtime: Files): Promise<string | undefined> {
  const path = keyFilePaths(storePath).adminToken;
  if (!(await runtime.fileExists(path))) return undefined;
  return (await runtime.readTextFile(path)).trim() || undefined;
}
