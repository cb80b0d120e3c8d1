// Where the admin commands send requests and with which token. On the machine running kgate
// with the file store, both are found without flags, so `kgate vcluster create x` just works.
import { loadConfig } from "../config/load-config.ts";
import type { Runtime } from "../runtime/types.ts";
import { parseSnapshot } from "../store/snapshot-format.ts";
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
  const token = flags.adminToken || config.admin.token || (await generatedAdminToken(config.store, runtime));
  if (!token) {
    throw new UsageError(
      "no admin token: pass --admin-token, set KGATE_ADMIN_TOKEN, or run on the kgate host with its --config",
    );
  }
  return { url, token };
}

async function generatedAdminToken(
  store: { type: string; path: string },
  runtime: Files,
): Promise<string | undefined> {
  if (store.type !== "file" || !(await runtime.fileExists(store.path))) return undefined;
  return parseSnapshot(await runtime.readTextFile(store.path), store.path).secrets.adminToken;
}
