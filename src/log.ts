// Logging: one logfmt line per record on stderr, so stdout stays free for CLI output.
import { configureSync, getLogger as getLogtapeLogger, logfmtFormatter, type Logger, type LogLevel } from "@logtape/logtape";

export type { Logger, LogLevel };
export const LOG_LEVELS = ["trace", "debug", "info", "warning", "error", "fatal"] as const;

/** Idempotent: later calls replace the earlier configuration (tests, CLI re-entry). */
export function configureLogging(level: LogLevel = "info"): void {
  configureSync({
    reset: true,
    // console.error is stderr under Bun, Deno and Node alike; no runtime adapter needed.
    sinks: { stderr: (record) => console.error(logfmtFormatter(record).trimEnd()) },
    loggers: [
      { category: ["kgate"], lowestLevel: level, sinks: ["stderr"] },
      { category: ["logtape", "meta"], lowestLevel: "warning", sinks: ["stderr"] },
    ],
  });
}

/** `getLogger("gateway.session")` → category kgate.gateway.session. */
export function getLogger(category: string): Logger {
  return getLogtapeLogger(["kgate", ...category.split(".").filter(Boolean)]);
}
