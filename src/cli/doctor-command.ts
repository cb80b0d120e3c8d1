// `kgate doctor [--config FILE] [--json]`: checks a configuration and its surroundings before (or
// while) kgate runs it; exit 1 when a check fails.
import { EMBEDDED_DEFAULTS_SOURCE, loadConfig } from "../config/load-config.ts";
import { formatReport } from "../doctor/report.ts";
import { runDoctor } from "../doctor/run-doctor.ts";
import { type CliDeps, EXIT } from "./cli-deps.ts";
import { HELP } from "./help.ts";
import { parseArgs, UsageError } from "./parse-args.ts";

export const DOCTOR_FLAGS = ["--config", "--json", "--help"];

export async function runDoctorCommand(args: readonly string[], deps: CliDeps): Promise<number> {
  const { flags, positionals } = parseArgs(args, {
    config: { type: "string" },
    json: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  });
  if (flags.help) {
    deps.stdout(HELP.doctor);
    return EXIT.ok;
  }
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"\n\n${HELP.doctor}`);
  if (!deps.networkRuntime) throw new Error("kgate doctor needs the network runtime");
  const path = (flags.config as string | undefined) || deps.runtime.env("KGATE_CONFIG") || undefined;
  const results = await runDoctor({
    runtime: deps.networkRuntime,
    source: path ?? EMBEDDED_DEFAULTS_SOURCE,
    loadConfig: () => loadConfig({ path, env: (name) => deps.runtime.env(name), files: deps.runtime }),
    fetch: deps.fetch,
  });
  deps.stdout(flags.json ? JSON.stringify(results, null, 2) : formatReport(results));
  return results.some((r) => r.status === "fail") ? EXIT.failed : EXIT.ok;
}
