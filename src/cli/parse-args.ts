// A small argv parser: `--flag value`, `--flag=value`, boolean flags, repeatable flags, `--`.
// Unknown flags are errors, so a typo never silently falls back to a default.

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

export interface FlagSpec {
  readonly type: "string" | "boolean";
  readonly multiple?: boolean;
  readonly short?: string;
}

export type FlagSpecs = Readonly<Record<string, FlagSpec>>;

export interface ParsedArgs {
  readonly flags: Readonly<Record<string, string | boolean | string[] | undefined>>;
  readonly positionals: readonly string[];
}

export function parseArgs(args: readonly string[], specs: FlagSpecs): ParsedArgs {
  const flags: Record<string, string | boolean | string[]> = {};
  const positionals: string[] = [];
  const byShort = new Map(Object.entries(specs).flatMap(([name, s]) => (s.short ? [[s.short, name] as const] : [])));

  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--") {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (!arg.startsWith("-") || arg === "-") {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const rawName = eq === -1 ? arg : arg.slice(0, eq);
    const name = rawName.startsWith("--") ? rawName.slice(2) : byShort.get(rawName.slice(1));
    const spec = name === undefined ? undefined : specs[name];
    if (name === undefined || !spec) throw new UsageError(`unknown option ${rawName}`);

    let value: string | boolean;
    if (spec.type === "boolean") {
      if (eq !== -1) throw new UsageError(`option --${name} takes no value`);
      value = true;
    } else if (eq !== -1) {
      value = arg.slice(eq + 1);
    } else {
      const next = args[i + 1];
      if (next === undefined || next.startsWith("--")) throw new UsageError(`option --${name} needs a value`);
      value = next;
      i++;
    }

    if (spec.multiple) ((flags[name] ??= []) as string[]).push(value as string);
    else if (name in flags) throw new UsageError(`option --${name} given twice`);
    else flags[name] = value;
  }
  return { flags, positionals };
}
