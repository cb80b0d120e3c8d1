export { type CliDeps, EXIT } from "./cli-deps.ts";
export { HELP } from "./help.ts";
export { runCli } from "./run-cli.ts";
