// Runs a scenario program in another process (Java, Python, ...) and reads its
// "STEP <name> ok|fail|na <detail>" lines.
import { runCommand } from "../support/command.ts";
import { type CompatTarget, oneLine, type StepResult } from "./types.ts";

export function scenarioEnv(t: CompatTarget): Record<string, string> {
  return {
    COMPAT_BOOTSTRAP: t.bootstrap,
    COMPAT_USER: t.sasl?.username ?? "",
    COMPAT_PASSWORD: t.sasl?.password ?? "",
    COMPAT_SUFFIX: t.suffix,
    COMPAT_EXACT_LIST: t.exactList ? "1" : "0",
    COMPAT_RECORDS: String(t.records),
  };
}

export function parseSteps(stdout: string): StepResult[] {
  const steps: StepResult[] = [];
  for (const line of stdout.split("\n")) {
    const m = /^STEP (\S+) (ok|fail|na) ?(.*)$/.exec(line.trim());
    if (m) steps.push({ step: m[1]!, status: m[2] as StepResult["status"], detail: m[3]! });
  }
  return steps;
}

/** Runs the program; a crash or a timeout without a failed step becomes one, with its stderr. */
export async function runScenarioProgram(
  cmd: string,
  args: string[],
  t: CompatTarget,
  timeoutMs = 240_000,
  env: Record<string, string> = {},
): Promise<StepResult[]> {
  const res = await runCommand(cmd, args, { env: { ...scenarioEnv(t), ...env }, timeoutMs, cwd: t.workDir });
  const steps = parseSteps(res.stdout);
  if (res.code !== 0 && !steps.some((s) => s.status === "fail")) {
    const why = res.code === 124 ? `timed out after ${timeoutMs / 1000} s` : `exit ${res.code}`;
    const tail = res.stderr.split("\n").filter((l) => l.trim() && !l.startsWith("SLF4J")).slice(-3).join(" | ");
    steps.push({ step: "run", status: "fail", detail: oneLine(`${why}: ${tail}`) });
  }
  return steps;
}
