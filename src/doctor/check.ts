// One finding of `kgate doctor`: what was checked, how it went, and what to do about a problem.

export type CheckStatus = "ok" | "warn" | "fail" | "skip";
export type CheckArea = "config" | "backing" | "store" | "listeners";

export interface CheckResult {
  readonly area: CheckArea;
  readonly name: string;
  readonly status: CheckStatus;
  readonly detail: string;
  /** For `warn` and `fail`: the change that makes the check pass. */
  readonly fix?: string;
}

/** Collects results in order; each helper returns the result it added. */
export class Findings {
  readonly results: CheckResult[] = [];

  constructor(private readonly area: CheckArea) {}

  ok(name: string, detail: string): CheckResult {
    return this.add({ area: this.area, name, status: "ok", detail });
  }

  warn(name: string, detail: string, fix: string): CheckResult {
    return this.add({ area: this.area, name, status: "warn", detail, fix });
  }

  fail(name: string, detail: string, fix: string): CheckResult {
    return this.add({ area: this.area, name, status: "fail", detail, fix });
  }

  skip(name: string, detail: string): CheckResult {
    return this.add({ area: this.area, name, status: "skip", detail });
  }

  private add(result: CheckResult): CheckResult {
    this.results.push(result);
    return result;
  }
}

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Rejects after `ms` with `what` in the message (every network probe is bounded). */
export async function within<T>(ms: number, what: string, work: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
