// `npm run compile`: kgate as one self-contained executable.
//
//   npm run compile                                  dist/kgate for this machine (bun build --compile)
//   npm run compile -- --target linux-arm64,darwin-arm64
//                                                    also dist/kgate-bun-<target> for each target
//   npm run compile -- --target all                  linux-x64, linux-arm64, darwin-arm64, windows-x64
//   npm run compile -- --deno [--target …]           deno compile instead: dist/kgate-deno[-<target>]
//                                                    (DENORT_BIN=/path/to/denort for one target offline)
//
// Targets: linux-x64, linux-arm64, darwin-arm64, windows-x64 (a `bun-` prefix is accepted, so
// bun-linux-arm64 works too). A binary for another platform needs that platform's runtime: Bun
// fetches it from the npm registry, Deno from its release site unless DENORT_BIN names a
// `denort` binary for the target. When the runtime cannot be had (offline, no DENORT_BIN), that
// target is reported as skipped and the build goes on; any other failure is an error (exit 1).
//
// Embedded: the version (package.json, bundled with src/version.ts) and the git commit, through
// `--define globalThis.__KGATE_COMMIT__` (KGATE_COMMIT overrides; "unknown" outside a checkout).
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { arch, platform } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const DIST = join(ROOT, "dist");
const ENTRY = join(ROOT, "src", "main.ts");
const BIN = join(ROOT, "node_modules", ".bin");

interface Target {
  /** our name: linux-x64, … */
  readonly name: string;
  readonly bun: string;
  readonly deno: string;
  readonly exe: string;
}

const TARGETS: readonly Target[] = [
  { name: "linux-x64", bun: "bun-linux-x64", deno: "x86_64-unknown-linux-gnu", exe: "" },
  { name: "linux-arm64", bun: "bun-linux-arm64", deno: "aarch64-unknown-linux-gnu", exe: "" },
  { name: "darwin-arm64", bun: "bun-darwin-arm64", deno: "aarch64-apple-darwin", exe: "" },
  { name: "windows-x64", bun: "bun-windows-x64", deno: "x86_64-pc-windows-msvc", exe: ".exe" },
];

const USAGE = `Usage: bun compile/build.ts [--target T[,T...]|all] [--deno]

  (no options)     dist/kgate for this machine, built with bun build --compile
  --target LIST    also build for these targets: ${TARGETS.map((t) => t.name).join(", ")}
                   (or "all"); Bun: dist/kgate-bun-<target>, Deno: dist/kgate-deno-<target>
  --deno           build with deno compile instead: dist/kgate-deno for this machine; needs the
                   Deno runtime for each target (DENORT_BIN=/path/to/denort, or network)`;

type Outcome = { status: "built"; file: string } | { status: "skipped" | "failed"; file: string; reason: string };

function parseArgs(argv: string[]): { targets: Target[]; deno: boolean } {
  let deno = false;
  const names: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--deno") deno = true;
    else if (arg === "--target" || arg === "--targets") names.push(...(argv[++i] ?? "").split(","));
    else if (arg.startsWith("--target=") || arg.startsWith("--targets=")) names.push(...arg.split("=")[1]!.split(","));
    else if (arg === "-h" || arg === "--help") {
      console.log(USAGE);
      process.exit(0);
    } else {
      console.error(`compile: unknown argument "${arg}"\n\n${USAGE}`);
      process.exit(2);
    }
  }
  const targets: Target[] = [];
  for (const raw of names.map((n) => n.trim()).filter(Boolean)) {
    if (raw === "all") {
      targets.push(...TARGETS);
      continue;
    }
    const target = TARGETS.find((t) => t.name === raw.replace(/^bun-/, ""));
    if (!target) {
      console.error(`compile: unknown target "${raw}" (known: ${TARGETS.map((t) => t.name).join(", ")}, all)`);
      process.exit(2);
    }
    targets.push(target);
  }
  return { targets: [...new Set(targets)], deno };
}

function hostTarget(): Target | undefined {
  const os = platform() === "win32" ? "windows" : platform();
  const cpu = arch() === "x64" ? "x64" : arch();
  return TARGETS.find((t) => t.name === `${os}-${cpu}`);
}

function git(args: string[]): string | undefined {
  const res = spawnSync("git", args, { cwd: ROOT, encoding: "utf8" });
  return res.status === 0 ? res.stdout.trim() : undefined;
}

/** Short commit, with "-dirty" when tracked files differ from it. */
function buildCommit(): string {
  if (process.env.KGATE_COMMIT) return process.env.KGATE_COMMIT;
  const sha = git(["rev-parse", "--short=12", "HEAD"]);
  if (!sha) return "unknown";
  const dirty = spawnSync("git", ["diff", "--quiet", "HEAD", "--"], { cwd: ROOT }).status === 1;
  return dirty ? `${sha}-dirty` : sha;
}

function run(cmd: string, args: string[], env: Record<string, string | undefined> = {}): { code: number; output: string } {
  console.log(`$ ${[relative(ROOT, cmd) || cmd, ...args.map((a) => (/[\s"'$]/.test(a) ? `'${a}'` : a))].join(" ")}`);
  const res = spawnSync(cmd, args, { cwd: ROOT, encoding: "utf8", env: { ...process.env, ...env }, maxBuffer: 64 << 20 });
  const output = `${res.stdout ?? ""}${res.stderr ?? ""}`;
  process.stdout.write(output.replace(/^(?!$)/gm, "  "));
  if (res.error) return { code: 127, output: `${output}${res.error.message}` };
  return { code: res.status ?? 1, output };
}

/** True when a failure is about fetching another platform's runtime, not about kgate. */
function runtimeUnavailable(output: string): boolean {
  return /dns error|failed to lookup address|error sending request|ENOTFOUND|ECONNREFUSED|ETIMEDOUT|EAI_AGAIN|Unable to connect|ConnectionRefused|network|download|fetch(ing)? .*(failed|error)|HTTP \d{3}|404|403|denort/i
    .test(
      output,
    );
}

function lastLines(output: string, n = 3): string {
  // deno-lint-ignore no-control-regex -- strips ANSI colour codes (ESC [ … m)
  return output.trim().split("\n").filter((l) => l.trim()).slice(-n).join(" | ").replace(/\x1b\[[0-9;]*m/g, "");
}

const defineCommit = (commit: string) => `globalThis.__KGATE_COMMIT__=${JSON.stringify(commit)}`;

function buildWithBun(target: Target | undefined, commit: string): Outcome {
  const file = target ? join(DIST, `kgate-${target.bun}${target.exe}`) : join(DIST, "kgate");
  const args = [
    "build",
    ENTRY,
    "--compile",
    "--minify",
    // Precompiled bytecode: startup to listening ~96 ms -> ~38 ms (median, 2 cores) for ~4 MB; ESM as
    // src/runtime/index.ts uses top-level await.
    "--bytecode",
    "--format=esm",
    `--define=${defineCommit(commit)}`,
    // A server binary should not pick up whatever .env or bunfig.toml sits in its working
    // directory; configuration comes from --config / KGATE_* only.
    "--no-compile-autoload-dotenv",
    "--no-compile-autoload-bunfig",
    `--outfile=${file}`,
  ];
  if (target) args.push(`--target=${target.bun}`);
  rmSync(file, { force: true });
  const { code, output } = run(process.execPath, args);
  if (code === 0 && existsSync(file)) return { status: "built", file };
  if (target && runtimeUnavailable(output)) {
    return {
      status: "skipped",
      file,
      reason: `Bun could not fetch the ${target.bun} runtime (offline?): ${lastLines(output, 1)}. ` +
        `Build it where the npm registry is reachable, or with bun build --compile-executable-path=<bun for that target>.`,
    };
  }
  return { status: "failed", file, reason: `bun build exited ${code}: ${lastLines(output)}` };
}

/**
 * Deno has no --define: Bun bundles src/main.ts (same define, plain ESM, node: imports left to
 * Deno) and deno compile embeds that one file, so no node_modules tree goes into the binary.
 */
function bundleForDeno(commit: string): { file?: string; reason?: string } {
  const file = join(DIST, ".deno", "kgate.mjs");
  mkdirSync(join(DIST, ".deno"), { recursive: true });
  const { code, output } = run(process.execPath, [
    "build",
    ENTRY,
    "--target=node",
    "--format=esm",
    "--minify",
    `--define=${defineCommit(commit)}`,
    `--outfile=${file}`,
  ]);
  if (code !== 0) return { reason: `bun build (bundle for deno) exited ${code}: ${lastLines(output)}` };
  // The bundle must run under Deno before it is worth compiling.
  const check = run(join(BIN, "deno"), ["run", "-A", "--no-config", file, "version"]);
  if (check.code !== 0 || !check.output.includes(commit)) {
    return { reason: `the bundle does not run under Deno: ${lastLines(check.output)}` };
  }
  return { file };
}

function buildWithDeno(bundle: string, target: Target | undefined): Outcome {
  const file = target ? join(DIST, `kgate-deno-${target.name}${target.exe}`) : join(DIST, "kgate-deno");
  const args = ["compile", "-A", "--no-check", "--no-config", `--output=${file}`];
  if (target) args.push(`--target=${target.deno}`);
  args.push(bundle);
  rmSync(file, { force: true });
  const { code, output } = run(join(BIN, "deno"), args);
  if (code === 0 && existsSync(file)) return { status: "built", file };
  if (runtimeUnavailable(output) && !process.env.DENORT_BIN) {
    return {
      status: "skipped",
      file,
      reason: `deno compile needs the Deno runtime (denort) for ${target?.deno ?? "this machine"} and could not download it. ` +
        `Put the denort binary of the same Deno version (${denoVersion()}) for that target on this machine and ` +
        `set DENORT_BIN=/path/to/denort, or build where the network reaches Deno's release downloads.`,
    };
  }
  return { status: "failed", file, reason: `deno compile exited ${code}: ${lastLines(output)}` };
}

function denoVersion(): string {
  const res = spawnSync(join(BIN, "deno"), ["--version"], { encoding: "utf8" });
  return /deno (\S+)/.exec(res.stdout ?? "")?.[1] ?? "?";
}

function sizeMiB(file: string): string {
  return `${(statSync(file).size / (1 << 20)).toFixed(1)} MiB`;
}

/** The host binary must run: `version` prints what was embedded. */
function smokeTest(file: string, commit: string, version: string): string | undefined {
  const res = spawnSync(file, ["version"], { encoding: "utf8", timeout: 30_000 });
  const out = (res.stdout ?? "").trim();
  if (res.status !== 0) return `${relative(ROOT, file)} version exited ${res.status}: ${res.stderr}`;
  if (!out.includes(version) || !out.includes(commit)) return `${relative(ROOT, file)} version printed "${out}"`;
  console.log(`  ${out}`);
  return undefined;
}

function main(): number {
  const { targets, deno } = parseArgs(process.argv.slice(2));
  const version = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version;
  const commit = buildCommit();
  const host = hostTarget();
  mkdirSync(DIST, { recursive: true });
  console.log(`kgate ${version} (${commit}): ${deno ? "deno compile" : "bun build --compile"}, host ${host?.name ?? `${platform()}-${arch()}`}`);

  const outcomes: Outcome[] = [];
  if (deno) {
    const bundle = bundleForDeno(commit);
    if (!bundle.file) outcomes.push({ status: "failed", file: join(DIST, "kgate-deno"), reason: bundle.reason! });
    else for (const t of [undefined, ...targets.filter((t) => t !== host)]) outcomes.push(buildWithDeno(bundle.file, t));
  } else {
    for (const t of [undefined, ...targets]) outcomes.push(buildWithBun(t, commit));
  }

  // The host binary is the one this machine can run: check it before calling the build good.
  const hostFile = deno ? join(DIST, "kgate-deno") : join(DIST, "kgate");
  const hostOutcome = outcomes.find((o) => o.file === hostFile);
  if (hostOutcome?.status === "built") {
    chmodSync(hostFile, 0o755);
    const problem = smokeTest(hostFile, commit, version);
    if (problem) Object.assign(hostOutcome, { status: "failed", reason: problem });
  }

  console.log("\nkgate compile:");
  for (const o of outcomes) {
    const name = relative(ROOT, o.file);
    if (o.status === "built") console.log(`  built    ${name}  (${sizeMiB(o.file)})`);
    else console.log(`  ${o.status.padEnd(8)} ${name}: ${o.reason}`);
  }
  const failed = outcomes.filter((o) => o.status === "failed").length;
  const skipped = outcomes.filter((o) => o.status === "skipped").length;
  if (skipped) console.log(`  ${skipped} target(s) skipped: their runtime could not be fetched (see above).`);
  return failed > 0 ? 1 : 0;
}

process.exit(main());
