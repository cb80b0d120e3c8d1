// `kgate doctor`: the config (validated as `kgate serve` does), then the backing cluster, the store
// and the listeners, each check with a fix when it fails. Read-only: it opens ports only to close
// them at once and writes nothing.
import { ConfigError } from "../config/config-error.ts";
import type { Config } from "../config/schema.ts";
import type { Runtime } from "../runtime/types.ts";
import { checkBacking } from "./backing-checks.ts";
import { type CheckResult, errorText, Findings } from "./check.ts";
import { checkListeners } from "./listener-checks.ts";
import { checkStore } from "./store-checks.ts";

export interface DoctorDeps {
  readonly runtime: Runtime;
  /** Loads and validates the config exactly as `kgate serve` would. */
  loadConfig(): Promise<Config>;
  /** Where the config came from, for the report. */
  readonly source: string;
  readonly fetch?: typeof fetch;
  readonly now?: () => Date;
}

export async function runDoctor(deps: DoctorDeps): Promise<CheckResult[]> {
  const configFindings = new Findings("config");
  let config: Config;
  try {
    config = await deps.loadConfig();
    configFindings.ok("configuration", `valid (${deps.source})`);
  } catch (e) {
    const problems = e instanceof ConfigError ? e.problems.map((p) => `${p.path}: ${p.reason}`).join("; ") : errorText(e);
    configFindings.fail(
      "configuration",
      problems,
      e instanceof ConfigError ? "correct the keys named above (kgate serve refuses this file)" : "check the file path",
    );
    configFindings.skip("backing, store, listeners", "they need a valid configuration");
    return configFindings.results;
  }
  const backing = await checkBacking(deps.runtime, config);
  try {
    const store = await checkStore(deps.runtime, config, backing.facts?.connection);
    const listeners = await checkListeners(
      { runtime: deps.runtime, fetch: deps.fetch ?? fetch, now: (deps.now ?? (() => new Date()))() },
      config,
      backing.facts?.nodeIds,
    );
    return [...configFindings.results, ...backing.findings.results, ...store.results, ...listeners];
  } finally {
    backing.facts?.connection.close();
  }
}
