// kgate's entry point: `bun src/main.ts …`, `deno run -A src/main.ts …`, or the compiled binary.
import { runCli } from "./cli/run-cli.ts";
import { runtime } from "./runtime/index.ts";
import { serve } from "./serve.ts";

const code = await runCli(runtime.args(), {
  runtime,
  networkRuntime: runtime,
  serve: (config, reload) => serve(runtime, config, reload),
  stdout: (text) => console.log(text),
  stderr: (text) => console.error(text),
});
runtime.exit(code);
