// Picks the adapter for the runtime we are on. The import is dynamic so that the other
// runtime's adapter (which references globals that do not exist here) is never evaluated.
import type { Runtime } from "./types.ts";

export type { Duplex, Runtime } from "./types.ts";

async function loadRuntime(): Promise<Runtime> {
  if (typeof Bun !== "undefined") return (await import("./bun.ts")).bunRuntime;
  if (typeof Deno !== "undefined") return (await import("./deno.ts")).denoRuntime;
  throw new Error("kgate runs on Bun or Deno; neither was detected");
}

export const runtime: Runtime = await loadRuntime();
