import { ConfigError } from "../config/config-error.ts";
import { loadConfig } from "../config/load-config.ts";
import { configureLogging } from "../base/log.ts";
import { COMMIT, VERSION } from "../base/version.ts";
import { isAdminCommand, runAdminCommand, runStatusCommand } from "./admin-commands.ts";
import { completionScript } from "./completion.ts";
import { runDoctorCommand } from "./doctor-command.ts";
import { AdminApiError } from "./admin-client.ts";
import { type CliDeps, EXIT } from "./cli-deps.ts";
import { HELP } from "./help.ts";
import { parseArgs, UsageError } from "./parse-args.ts";

/**
 * Run one kgate command line (`argv` without the executable and script) and return the exit
 * code: 0 done, 1 failed, 2 usage error. All I/O goes through `deps`.
 */
export async function runCli(argv: readonly string[], deps: CliDeps): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case undefined:
        deps.stderr(HELP.main);
        return EXIT.usage;
      case "help":
      case "--help":
      case "-h":
        deps.stdout(HELP.main);
        return EXIT.ok;
      case "version":
      case "--version":
        return runVersion(rest, deps);
      case "serve":
        return await runServe(rest, deps);
      case "status":
        return await runStatusCommand(rest, deps);
      case "completion":
        return runCompletion(rest, deps);
      case "doctor":
        return await runDoctorCommand(rest, deps);
      default:
        if (isAdminCommand(command)) return await runAdminCommand(command, rest, deps);
        throw new UsageError(`unknown command "${command}"\n\n${HELP.main}`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      deps.stderr(`kgate: ${error.message}`);
      return EXIT.usage;
    }
    if (error instanceof ConfigError || error instanceof AdminApiError) {
      deps.stderr(`kgate: ${error.message}`);
      return EXIT.failed;
    }
    deps.stderr(`kgate: ${error instanceof Error ? error.message : String(error)}`);
    return EXIT.failed;
  }
}

function runVersion(args: readonly string[], deps: CliDeps): number {
  const { flags } = parseArgs(args, { help: { type: "boolean", short: "h" } });
  deps.stdout(flags.help ? HELP.version : `kgate ${VERSION} (${COMMIT}) ${deps.runtime.name}`);
  return EXIT.ok;
}

function runCompletion(args: readonly string[], deps: CliDeps): number {
  const { flags, positionals } = parseArgs(args, { help: { type: "boolean", short: "h" } });
  if (flags.help) {
    deps.stdout(HELP.completion);
    return EXIT.ok;
  }
  if (positionals.length !== 1) throw new UsageError(`expected a shell name\n\n${HELP.completion}`);
  deps.stdout(completionScript(positionals[0]!).trimEnd());
  return EXIT.ok;
}

async function runServe(args: readonly string[], deps: CliDeps): Promise<number> {
  const { flags, positionals } = parseArgs(args, {
    config: { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  if (flags.help) {
    deps.stdout(HELP.serve);
    return EXIT.ok;
  }
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"\n\n${HELP.serve}`);
  const path = (flags.config as string | undefined) || deps.runtime.env("KGATE_CONFIG") || undefined;
  const load = Object.assign(() =>
    loadConfig({
      path,
      env: (name) => deps.runtime.env(name),
      files: deps.runtime,
    }), { path });
  const config = await load();
  configureLogging(config.log.level, config.log.format);
  await deps.serve(config, load);
  return EXIT.ok;
}
