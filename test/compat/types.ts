// The client-compatibility scenario: what a client is given and what it reports, step by step.

export type StepStatus = "ok" | "fail" | "na";

export interface StepResult {
  step: string;
  status: StepStatus;
  /** what was seen (ok), the first error (fail), or why the client cannot do this (na) */
  detail: string;
}

/** Where and as whom a client runs the scenario. */
export interface CompatTarget {
  bootstrap: string;
  /** SASL/PLAIN login; none for a direct, unauthenticated broker (the byte-exact capture) */
  sasl?: { username: string; password: string };
  /** appended to every topic, group and transactional id (empty inside a fresh vcluster) */
  suffix: string;
  /** list-topics must return exactly the scenario's topics (true inside a fresh vcluster) */
  exactList: boolean;
  records: number;
  /** a scratch folder for this run */
  workDir: string;
  /** the backing cluster's view of this tenant, for clients that check their internal topics */
  backing?: BackingView;
}

export interface BackingView {
  /** the vcluster's prefix on the backing cluster, e.g. "vc-java-44-bun." */
  prefix: string;
  topics(): Promise<string[]>;
  groups(): Promise<string[]>;
  /** transactional ids under the prefix (kafka-transactions list on the backing cluster) */
  transactionalIds(): Promise<string[]>;
}

export interface CompatClient {
  /** row name in the matrix */
  name: string;
  /** part of the fast subset that `npm test` runs */
  fast?: boolean;
  /** the scenario's names: the standard ones ("orders", "payments", "billing") unless it has its own */
  standardNames?: boolean;
  /** the version that ran, where the row's name does not tell (Debian packages) */
  version?: () => Promise<string>;
  /** null when the client can run here, else the reason it cannot (missing package, jar, ...) */
  unavailable(): Promise<string | null>;
  run(target: CompatTarget): Promise<StepResult[]>;
}

/** The standard scenario's names inside a target. */
export function scenarioNames(t: Pick<CompatTarget, "suffix">) {
  return {
    topic: `orders${t.suffix}`,
    txTopic: `payments${t.suffix}`,
    group: `billing${t.suffix}`,
    txReaderGroup: `pay-reader${t.suffix}`,
    transactionalId: `pay${t.suffix}`,
  };
}

/** Runs steps in order, each a function returning its detail; stops at the first failure. */
export class StepRunner {
  readonly results: StepResult[] = [];
  private failed = false;

  async step(step: string, body: () => Promise<string | void>): Promise<void> {
    if (this.failed) return;
    try {
      this.results.push({ step, status: "ok", detail: (await body()) ?? "" });
    } catch (err) {
      this.failed = true;
      this.results.push({ step, status: "fail", detail: oneLine(err instanceof Error ? `${err.name}: ${err.message}` : String(err)) });
    }
  }

  na(step: string, reason: string): void {
    if (!this.failed) this.results.push({ step, status: "na", detail: reason });
  }
}

export function oneLine(s: string, max = 300): string {
  const flat = s.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** The listing check shared by every client: exactly the scenario's topics inside a vcluster. */
export function checkListing(t: CompatTarget, listed: Iterable<string>): string {
  const { topic, txTopic } = scenarioNames(t);
  const names = [...new Set(listed)].sort();
  const ours = [topic, txTopic].sort();
  const ok = t.exactList ? names.join(",") === ours.join(",") : ours.every((n) => names.includes(n));
  if (!ok) throw new Error(`listed ${names.join(",")}`);
  return (t.exactList ? names : ours).join(",");
}
