// The Deno adapter cannot be loaded by `bun test`, so this runs the shared adapter checks in a
// Deno child process (test/support/deno-echo-check.ts) and expects it to print OK.
import { expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const repoRoot = join(import.meta.dir, "..", "..");

test("deno adapter: echo, half-close, backpressure, close, files", async () => {
  const tempDir = mkdtempSync(join(tmpdir(), "kgate-deno-runtime-"));
  try {
    const child = Bun.spawn([join(repoRoot, "node_modules/.bin/deno"), "run", "-A", "test/support/deno-echo-check.ts"], {
      cwd: repoRoot,
      env: { ...process.env, KGATE_TEST_TMP: tempDir, NO_COLOR: "1" },
      stdout: "pipe",
      stderr: "pipe",
    });
    const [stdout, stderr, exitCode] = await Promise.all([
      new Response(child.stdout).text(),
      new Response(child.stderr).text(),
      child.exited,
    ]);
    if (exitCode !== 0 || !stdout.trimEnd().endsWith("OK")) console.error(stdout, stderr);
    expect(stdout.trimEnd().split("\n").at(-1)).toBe("OK");
    expect(exitCode).toBe(0);
  } finally {
    rmSync(tempDir, { recursive: true, force: true });
  }
}, 60_000);
