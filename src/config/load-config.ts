import { parse as parseYaml, YAMLParseError } from "yaml";
import type { Runtime } from "../runtime/types.ts";
import { ConfigError, problemsFromIssues } from "./config-error.ts";
import { substituteEnv } from "./env-substitution.ts";
import { type Config, configSchema } from "./schema.ts";

export type EnvLookup = (name: string) => string | undefined;

export interface LoadConfigOptions {
  /** `--config FILE`; falls back to KGATE_CONFIG, then to the embedded defaults. */
  readonly path?: string;
  readonly env: EnvLookup;
  readonly files: Pick<Runtime, "readTextFile" | "fileExists">;
}

export const EMBEDDED_DEFAULTS_SOURCE = "(embedded defaults)";

/** Read, substitute and validate the configuration; throws `ConfigError` listing each bad key. */
export async function loadConfig(options: LoadConfigOptions): Promise<Config> {
  const path = options.path || options.env("KGATE_CONFIG") || undefined;
  if (!path) return parseConfigObject({}, options.env, EMBEDDED_DEFAULTS_SOURCE);
  if (!(await options.files.fileExists(path))) {
    throw new ConfigError(path, [{ path: "(file)", reason: "file not found" }]);
  }
  return parseConfigText(await options.files.readTextFile(path), options.env, path);
}

export function parseConfigText(text: string, env: EnvLookup, source: string): Config {
  let raw: unknown;
  try {
    raw = parseYaml(text) ?? {};
  } catch (error) {
    const reason = error instanceof YAMLParseError ? error.message.split("\n")[0]!.replace(/:$/, "") : String(error);
    throw new ConfigError(source, [{ path: "(yaml)", reason }]);
  }
  return parseConfigObject(raw, env, source);
}

/** Validate an already parsed document (YAML or JSON); `${VAR}` is substituted first. */
export function parseConfigObject(raw: unknown, env: EnvLookup, source: string): Config {
  const input = withEnvFallbacks(substituteEnv(raw, env), env);
  const result = configSchema.safeParse(input, { reportInput: true });
  if (!result.success) throw new ConfigError(source, problemsFromIssues(result.error.issues, input));
  return result.data;
}

// The admin token may come from KGATE_ADMIN_TOKEN (README, Configuration) without being named in the file;
// same for the token secret. Applied before validation so the usual checks cover them.
function withEnvFallbacks(input: unknown, env: EnvLookup): unknown {
  if (input === null || typeof input !== "object" || Array.isArray(input)) return input;
  const doc = input as Record<string, unknown>;
  const fill = (section: string, key: string, variable: string): void => {
    const value = env(variable);
    if (!value) return;
    const current = doc[section];
    if (current !== undefined && (current === null || typeof current !== "object" || Array.isArray(current))) return;
    const existing = (current as Record<string, unknown> | undefined)?.[key];
    if (existing === undefined || existing === "") doc[section] = { ...(current as object | undefined), [key]: value };
  };
  fill("admin", "token", "KGATE_ADMIN_TOKEN");
  fill("auth", "tokenSecret", "KGATE_TOKEN_SECRET");
  return doc;
}
