// Startup to listening: spawns kgate `serve` several times, each in a fresh temp dir (first start:
// empty store, generated secrets), and times spawn → the "kgate ready" line, by which point the
// Kafka listener and the admin API are bound. Prints min / median / max per command and the
// binary's size.
//
//   bun compile/startup.ts                 dist/kgate, 10 runs
//   bun compile/startup.ts --runs 20 --all  also `bun src/main.ts` and `deno run -A src/main.ts`
//
// Each run uses its own ports (bootstrap and admin API) so that it can run beside other kgates.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const BIN = join(ROOT, "node_modules", ".bin");
const BINARY = join(ROOT, "dist", "kgate");

const argv = process.argv.slice(2);
const runs = Number(argv[argv.indexOf("--runs") + 1]) || 10;
const all = argv.includes("--all");

const commands: Array<{ label: string; cmd: string[] }> = [{ label: "dist/kgate", cmd: [BINARY] }];
if (all) {
  commands.push({ label: "bun src/main.ts", cmd: [join(BIN, "bun"), join(ROOT, "src", "main.ts")] });
  commands.push({ label: "deno run -A src/main.ts", cmd: [join(BIN, "deno"), "run", "-A", join(ROOT, "src", "main.ts")] });
}

// Above Linux's ephemeral range (32768-60999) and away from the test harness' blocks (20000-32700).
// Blocks of 50 like the test harness: bootstrap, one port per backing broker, admin API at +40.
let port = 61000 + Math.floor(Math.random() * 70) * 50;

async function once(cmd: string[]): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), "kgate-startup-"));
  port = port + 50 > 64950 ? 61000 : port + 50;
  const config = join(dir, "kgate.yaml");
  // Only the ports differ from the embedded defaults.
  writeFileSync(config, `listener: {port: ${port}}\nadmin: {port: ${port + 40}}\n`);
  const started = performance.now();
  const child = spawn(cmd[0]!, [...cmd.slice(1), "serve", "--config", config], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  try {
    return await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`not ready in 30 s:\n${output}`)), 30_000);
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes("kgate ready")) {
          clearTimeout(timer);
          resolve(performance.now() - started);
        }
      };
      child.stdout!.on("data", onData);
      child.stderr!.on("data", onData);
      child.on("exit", (code) => reject(new Error(`exited ${code} before ready:\n${output}`)));
    });
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

if (!existsSync(BINARY)) {
  console.error("dist/kgate is missing: run `npm run compile` first");
  process.exit(1);
}
console.log(`dist/kgate: ${(statSync(BINARY).size / (1 << 20)).toFixed(1)} MiB`);
for (const { label, cmd } of commands) {
  await once(cmd); // warm the page cache and any compile cache
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(await once(cmd));
  times.sort((a, b) => a - b);
  const ms = (t: number) => `${t.toFixed(0)} ms`;
  console.log(
    `${label}: startup to "kgate ready" over ${runs} runs: min ${ms(times[0]!)}, median ${ms(times[Math.floor(runs / 2)]!)}, max ${ms(times[runs - 1]!)}`,
  );
}
