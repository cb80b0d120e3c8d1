import pkg from "../../package.json" with { type: "json" };

declare global {
  // Set by the single-binary build (`--define globalThis.__KGATE_COMMIT__='"abc123"'`);
  // absent when running from source.
  var __KGATE_COMMIT__: string | undefined;
}

export const VERSION: string = pkg.version;
export const COMMIT: string = globalThis.__KGATE_COMMIT__ ?? "dev";
