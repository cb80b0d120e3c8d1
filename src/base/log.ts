// Logging: one line per record on stderr, so stdout stays free for CLI output. `text` is logfmt
// for people; `json` is JSON Lines for log shippers, properties flattened into each object.
import {
  configureSync,
  getJsonLinesFormatter,
  getLogger as getLogtapeLogger,
  logfmtFormatter,
  type Logger,
  type LogLevel,
  type LogRecord,
  type TextFormatter,
} from "@logtape/logtape";

const LOG_FORMATS = ["text", "json"] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

const jsonLines = getJsonLinesFormatter({ properties: "flatten" });
/** Keys of every JSON line; a property of the same name would overwrite them when flattened. */
const JSON_LINE_KEYS = new Set(["@timestamp", "level", "message", "logger"]);

/**
 * Strings go into the message as they are, as in the text format (logtape's JSON rendering would
 * quote them); a property named like a line key keeps its value as `<key>_` instead of replacing it.
 */
function forJsonLine(record: LogRecord): LogRecord {
  const message = record.message.map((part, i) => (i % 2 === 0 || typeof part === "string" ? String(part) : JSON.stringify(part))).join("");
  const clashes = Object.keys(record.properties).some((k) => JSON_LINE_KEYS.has(k));
  const properties = clashes
    ? Object.fromEntries(Object.entries(record.properties).map(([k, v]) => [JSON_LINE_KEYS.has(k) ? `${k}_` : k, v]))
    : record.properties;
  return { ...record, message: [message], properties };
}

const FORMATTERS: Record<LogFormat, TextFormatter> = {
  text: logfmtFormatter,
  // Flattened: `jq 'select(.vcluster == "alice")'` works without knowing a nesting key.
  json: (record) => jsonLines(forJsonLine(record)),
};

/** Idempotent: later calls replace the earlier configuration (tests, CLI re-entry). */
export function configureLogging(level: LogLevel = "info", format: LogFormat = "text"): void {
  const formatter = FORMATTERS[format];
  configureSync({
    reset: true,
    // console.error is stderr under Bun, Deno and Node alike; no runtime adapter needed.
    sinks: { stderr: (record) => console.error(formatter(record).trimEnd()) },
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

/** What a line about one client connection carries, so a log search can follow it or a tenant. */
export interface ConnectionFields {
  readonly connection: number;
  readonly vcluster?: string;
  readonly principal?: string;
}

/** The fields for a connection as far as they are known (no vcluster or principal before login). */
export function connectionFields(
  connection: number,
  policy?: { readonly view: string | null; readonly principal?: string },
): ConnectionFields {
  const fields: { connection: number; vcluster?: string; principal?: string } = { connection };
  if (policy?.view) fields.vcluster = policy.view;
  if (policy?.principal) fields.principal = policy.principal;
  return fields;
}
