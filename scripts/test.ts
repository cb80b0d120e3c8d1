// `npm test`: type check, unit tests, then end-to-end tests against a real broker, ending with
// one line `N passed, N failed` over all stages. Exit status is non-zero if anything failed.
//
//   npm test                      everything
//   npm test -- unit              only the named stages (typecheck, unit, e2e)
//   npm test -- e2e kafka-local   only test files whose path contains "kafka-local"
//   npm test -- unit -t "round"   flags (and their values) go to `bun test` as they are
import { spawn } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const STAGES = ["typecheck", "unit", "e2e"] as const;
type Stage = (typeof STAGES)[number];
const STAGE_ALIASES: Record<string, Stage> = { tsc: "typecheck", types: "typecheck" };
const E2E_TIMEOUT_MS = 120_000;
const TEST_FILE = /(\.|_)(test|spec)\.(ts|tsx|js|jsx|mjs|cjs|mts|cts)$/;
// bun test flags that take a separate value
const VALUED_FLAGS = new Set(["-t", "--test-name-pattern", "--timeout", "--rerun-each", "--preload", "--seed"]);

interface Totals {
  passed: number;
  failed: number;
}

function parseArgs(argv: string[]): { stages: Set<Stage>; filters: string[]; bunFlags: string[] } {
  const stages = new Set<Stage>();
  const filters: string[] = [];
  const bunFlags: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const stage = (STAGES as readonly string[]).includes(arg) ? (arg as Stage) : STAGE_ALIASES[arg];
    if (stage) stages.add(stage);
    else if (arg.startsWith("-")) {
      bunFlags.push(arg);
      if (VALUED_FLAGS.has(arg) && i + 1 < argv.length) bunFlags.push(argv[++i]!);
    } else filters.push(arg);
  }
  if (stages.size === 0) { for (const s of STAGES) stages.add(s); }
  return { stages, filters, bunFlags };
}

function testFiles(dir: string, filters: string[]): string[] {
  const found: string[] = [];
  const walk = (d: string): void => {
    let names: string[];
    try {
      names = readdirSync(d);
    } catch {
      return;
    }
    for (const name of names.sort()) {
      if (name === "node_modules" || name.startsWith(".")) continue;
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (TEST_FILE.test(name)) found.push(`./${relative(ROOT, path)}`);
    }
  };
  walk(join(ROOT, dir));
  return filters.length === 0 ? found : found.filter((f) => filters.some((needle) => f.includes(needle)));
}

/** Runs a command with its output streamed through; resolves to its exit code and output. */
function run(cmd: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      process.stdout.write(chunk);
      output += chunk.toString("utf8");
    });
    child.stderr.on("data", (chunk: Buffer) => {
      process.stderr.write(chunk);
      output += chunk.toString("utf8");
    });
    child.on("error", (err) => {
      console.error(`cannot run ${cmd}: ${err.message}`);
      resolve({ code: 127, output });
    });
    child.on("close", (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), output }));
  });
}

/** Sums bun's closing lines (` N pass`, ` N fail`). */
function bunCounts(output: string): Totals {
  // deno-lint-ignore no-control-regex -- strips ANSI colour codes (ESC [ … m)
  const plain = output.replace(/\x1b\[[0-9;]*m/g, "");
  const count = (word: string): number => {
    let total = 0;
    for (const m of plain.matchAll(new RegExp(`^\\s*(\\d+) ${word}\\s*$`, "gm"))) total += Number(m[1]);
    return total;
  };
  return { passed: count("pass"), failed: count("fail") };
}

function banner(text: string): void {
  console.log(`\n=== ${text}`);
}

const bun = process.versions.bun ? process.execPath : "bun";

async function bunTest(label: string, files: string[], flags: string[], env: Record<string, string> = {}): Promise<Totals> {
  banner(`${label}: bun test (${files.length} file${files.length === 1 ? "" : "s"})`);
  const { code, output } = await run(bun, ["test", ...flags, ...files], env);
  const counts = bunCounts(output);
  if (code !== 0 && counts.failed === 0) {
    console.error(`${label}: bun test exited ${code} without reporting a failed test; counting 1 failed`);
    counts.failed = 1;
  }
  return counts;
}

async function main(): Promise<number> {
  const { stages, filters, bunFlags } = parseArgs(process.argv.slice(2));
  const totals: Totals = { passed: 0, failed: 0 };
  const add = (t: Totals): void => {
    totals.passed += t.passed;
    totals.failed += t.failed;
  };

  if (stages.has("typecheck")) {
    // tsc checks everything against Bun's types; `deno check` checks the entry point (and all
    // it imports) the way Deno runs it, Deno adapter included; `deno lint` applies deno.json's
    // rules and `deno fmt --check` its formatting (generated code included); the import check keeps
    // the folders' dependency directions (scripts/check-imports.ts); the export check finds exports
    // of src/ that nothing imports (scripts/check-exports.ts).
    const checks: Array<[string, string, string[]]> = [
      ["tsc -p tsconfig.json --noEmit", "tsc", ["-p", "tsconfig.json", "--noEmit"]],
      ["deno check src/main.ts", "deno", ["check", "src/main.ts"]],
      ["deno lint", "deno", ["lint"]],
      ["deno fmt --check", "deno", ["fmt", "--check"]],
      ["import directions (scripts/check-imports.ts)", "bun", [join(ROOT, "scripts", "check-imports.ts")]],
      ["unused exports (scripts/check-exports.ts)", "bun", [join(ROOT, "scripts", "check-exports.ts")]],
    ];
    for (const [label, bin, args] of checks) {
      banner(`typecheck: ${label}`);
      const { code } = await run(join(ROOT, "node_modules", ".bin", bin), args);
      if (code === 0) {
        console.log(`typecheck: ${label}: ok`);
        totals.passed += 1;
      } else {
        console.error(`typecheck: ${label}: failed (exit ${code})`);
        totals.failed += 1;
      }
    }
  }

  if (stages.has("unit")) {
    const files = testFiles("test/unit", filters);
    if (files.length === 0) banner("unit: no test files, skipped");
    else add(await bunTest("unit", files, bunFlags));
  }

  if (stages.has("e2e")) {
    const files = testFiles("test/e2e", filters);
    if (files.length === 0) banner("e2e: no test files, skipped");
    else {
      const env: Record<string, string> = {};
      if (process.env.KAFKA_BOOTSTRAP) {
        banner(`e2e: using the broker at KAFKA_BOOTSTRAP=${process.env.KAFKA_BOOTSTRAP}`);
      } else {
        banner("e2e: backing Kafka");
        try {
          // Same rules as the tests themselves (testcontainers when Docker answers, else
          // scripts/kafka.sh); a container lives as long as this process, so hand its address on.
          const { kafkaBootstrap } = await import("../test/support/kafka.ts");
          env.KAFKA_BOOTSTRAP = await kafkaBootstrap();
          if (process.env.KAFKA_SASL_BOOTSTRAP) env.KAFKA_SASL_BOOTSTRAP = process.env.KAFKA_SASL_BOOTSTRAP;
          console.log(`e2e: broker at ${env.KAFKA_BOOTSTRAP}`);
        } catch (err) {
          console.error(`e2e: no broker: ${(err as Error).message}`);
          totals.failed += 1;
          return finish(totals);
        }
      }
      const flags = bunFlags.some((f) => f === "--timeout" || f.startsWith("--timeout=")) ? bunFlags : ["--timeout", String(E2E_TIMEOUT_MS), ...bunFlags];
      add(await bunTest("e2e", files, flags, env));
    }
  }

  return finish(totals);
}

function finish(totals: Totals): number {
  console.log(`\n${totals.passed} passed, ${totals.failed} failed`);
  return totals.failed > 0 ? 1 : 0;
}

process.exitCode = await main();
