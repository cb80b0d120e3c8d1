// Run under Deno by test/unit/runtime-deno.test.ts: loads the runtime through index.ts (so
// the Deno adapter is the one chosen), runs the shared adapter checks, prints OK at the end.
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
} from "./runtime-checks.ts";

try {
  if (runtime.name !== "deno") throw new Error(`expected the deno adapter, got ${runtime.name}`);
  await checkForwardedEcho(runtime);
  await checkHalfCloseBothWays(runtime);
  for (const direction of ["client-writes", "server-writes"] as const) {
    const result = await checkBoundedBackpressure(runtime, direction);
    console.log(`backpressure ${direction}: ${result.acceptedWhileStalled} of ${result.offeredBytes} bytes accepted while stalled`);
  }
  await checkAbruptClose(runtime);
  await checkConnectRefused(runtime);
  await checkHttpServe(runtime);
  await checkHandlerFailureIsolated(runtime);
  const dir = runtime.env("KGATE_TEST_TMP") ?? `/tmp/kgate-deno-check-${crypto.randomUUID()}`;
  await checkAtomicWrite(runtime, dir);
  console.log("OK");
} catch (error) {
  console.log(`FAIL ${error instanceof Error ? error.stack : error}`);
  runtime.exit(1);
}
