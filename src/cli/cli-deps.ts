import type { Config } from "../config/schema.ts";
import type { Runtime } from "../runtime/types.ts";

export interface CliDeps {
  readonly runtime: Pick<Runtime, "name" | "readTextFile" | "writeFileAtomic" | "fileExists" | "env">;
  /**
   * Start the gateway with a validated config; resolves when it has shut down. `reload.path` is
   * the config file, watched for changes (none with the embedded defaults).
   */
  serve(config: Config, reload: (() => Promise<Config>) & { readonly path?: string }): Promise<void>;
  /** The whole runtime (sockets, listeners) for `kgate doctor`; main.ts passes it. */
  readonly networkRuntime?: Runtime;
  /** Defaults to the global fetch; tests route it to an in-process admin app. */
  readonly fetch?: typeof fetch;
  /** Each call is one complete piece of output; a trailing newline is added. */
  stdout(text: string): void;
  stderr(text: string): void;
}

/** Exit codes of `runCli`. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;
