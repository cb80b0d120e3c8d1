import type { z } from "zod";

export interface ConfigProblem {
  /** Dotted key path, e.g. `listener.port` or `vclusters[1].prefix`. */
  readonly path: string;
  readonly reason: string;
}

/** A configuration kgate refuses to start with; the message lists every bad key. */
export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly problems: readonly ConfigProblem[],
  ) {
    super(`invalid configuration in ${source}:\n${problems.map((p) => `  ${p.path}: ${p.reason}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out || "(root)";
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current = input;
  for (const key of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  return String(value);
}

// zod's built-in messages ("Too small: expected number to be >=1") are generic; ours name the
// offending value. Messages we wrote in the schema are kept as they are.
function isGenericMessage(message: string): boolean {
  return /^(Invalid|Too small|Too big|Unrecognized)/.test(message);
}

/** Turn zod issues into one problem per bad key, quoting the value found in `input`. */
export function problemsFromIssues(issues: readonly z.core.$ZodIssue[], input: unknown): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const issue of issues) {
    // With `reportInput` zod hands us the value it saw (after preprocessing); else look it up.
    const value = "input" in issue ? issue.input : valueAt(input, issue.path);
    const path = formatPath(issue.path);
    switch (issue.code) {
      case "unrecognized_keys":
        for (const key of issue.keys) problems.push({ path: formatPath([...issue.path, key]), reason: "unknown key" });
        break;
      case "invalid_type":
        problems.push({
          path,
          reason: value === undefined ? "required" : `expected ${issue.expected}, received ${describe(value)}`,
        });
        break;
      case "invalid_value":
        problems.push({
          path,
          reason: `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}, received ${describe(value)}`,
        });
        break;
      case "too_small":
      case "too_big": {
        const op = issue.code === "too_small" ? (issue.inclusive ? ">=" : ">") : issue.inclusive ? "<=" : "<";
        const bound = issue.code === "too_small" ? issue.minimum : issue.maximum;
        const what = issue.origin === "string" ? "length " : issue.origin === "array" ? "item count " : "";
        problems.push({
          path,
          reason: isGenericMessage(issue.message) ? `${what}must be ${op} ${String(bound)}, received ${describe(value)}` : issue.message,
        });
        break;
      }
      default:
        problems.push({
          path,
          reason: isGenericMessage(issue.message) || issue.code === "invalid_format" ? `${issue.message}, received ${describe(value)}` : issue.message,
        });
    }
  }
  return problems;
}
