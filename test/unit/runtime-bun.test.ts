// The Bun adapter, through index.ts (which must pick it under Bun). The checks themselves are
// runtime-neutral and shared with the Deno check (test/support/runtime-checks.ts).
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runtime } from "../../src/runtime/index.ts";
import {
  checkAbruptClose,
  checkAtomicWrite,
  checkBoundedBackpressure,
  checkConnectRefused,
  checkForwardedEcho,
  checkHalfCloseBothWays,
  checkHandlerFailureIsolated,
  checkHttpServe,
} from "../support/runtime-checks.ts";

const tempDir = mkdtempSync(join(tmpdir(), "kgate-runtime-"));
afterAll(() => rmSync(tempDir, { recursive: true, force: true }));

describe("bun runtime adapter", () => {
  test("index.ts picks the bun adapter", () => {
    expect(runtime.name).toBe("bun");
  });

  test("8 MiB round trip through a forwarder to an echo server", () => checkForwardedEcho(runtime), 30_000);

  test("half-close from either side, the other side still answers", () => checkHalfCloseBothWays(runtime), 10_000);

  for (const direction of ["client-writes", "server-writes"] as const) {
    test(`bounded buffering when the reader stalls (${direction})`, async () => {
      const result = await checkBoundedBackpressure(runtime, direction);
      expect(result.acceptedWhileStalled).toBeLessThan(result.offeredBytes / 4);
    }, 30_000);
  }

  test("close() fails a pending write and ends the peer's readable", () => checkAbruptClose(runtime), 10_000);

  test("connect to a closed port rejects", () => checkConnectRefused(runtime), 10_000);

  test("a throwing connection handler drops only its connection", () => checkHandlerFailureIsolated(runtime), 10_000);

  test("serveHttp answers and stops", () => checkHttpServe(runtime), 10_000);

  test("writeFileAtomic / readTextFile / fileExists / mkdirp", () => checkAtomicWrite(runtime, tempDir));
});
