// The parts of the configuration kgate applies without a restart (SIGHUP or a changed config
// file): static users, client certificate mappings, how the listener treats clients that do not
// log in, the limits, the topic policy defaults, the default quotas and the listener's certificate
// files. Everything else is reported as needing a restart, and the running value stays.
import type { Config } from "./config/schema.ts";
import type { ListenerViews } from "./vcluster/vcluster-policy.ts";

const LIVE_PATHS = new Set(["auth.users", "auth.certificates", "listener.anonymous", "listener.pinnedVcluster"]);
/** Read once, by the admin API's body limit at start. */
const RESTART_LIMITS = new Set(["limits.adminBodyBytes"]);
/** Of `listener.tls`, what a running TLS listener can swap for new handshakes (its secure context). */
const LIVE_TLS_KEYS = ["cert", "key", "ca"] as const;

export type ListenerTlsFiles = NonNullable<Config["listener"]["tls"]>;

export interface ReloadPlan {
  /** Paths that change live, e.g. `limits.maxConnections`. */
  readonly applied: string[];
  /** Paths that differ but keep their running value until a restart. */
  readonly restartNeeded: string[];
  /** New certificate files for the listener, when they change live. */
  readonly listenerTls?: ListenerTlsFiles;
}

export class LiveSettings {
  users: Config["auth"]["users"];
  certificates: Config["auth"]["certificates"];
  listenerViews: ListenerViews;
  limits: Config["limits"];
  topicPolicy: Config["topicPolicy"];
  quotas: Config["quotas"];

  constructor(private config: Config) {
    this.quotas = config.quotas;
    this.users = config.auth.users;
    this.certificates = config.auth.certificates;
    this.listenerViews = { anonymous: config.listener.anonymous, pinned: config.listener.pinnedVcluster };
    this.limits = config.limits;
    this.topicPolicy = config.topicPolicy;
  }

  /** The running configuration: the start's, with every live change since. */
  get running(): Config {
    return this.config;
  }

  /** What taking `next` would change live and what would need a restart; changes nothing. */
  plan(next: Config): ReloadPlan {
    const applied: string[] = [];
    const restartNeeded: string[] = [];
    for (const path of changedPaths(this.config, next)) {
      if (path === "listener.tls") {
        const tls = tlsChange(this.config.listener.tls, next.listener.tls);
        applied.push(...tls.applied);
        restartNeeded.push(...tls.restartNeeded);
      } else if (isLive(path)) {
        applied.push(path);
      } else {
        restartNeeded.push(path);
      }
    }
    const tlsLive = applied.some((p) => p.startsWith("listener.tls."));
    return { applied, restartNeeded, listenerTls: tlsLive ? liveTls(this.config.listener.tls!, next.listener.tls!) : undefined };
  }

  /** Takes the live parts of `next` (after `plan`); the rest keeps its running value. */
  apply(next: Config, plan: ReloadPlan): void {
    this.quotas = next.quotas;
    this.users = next.auth.users;
    this.certificates = next.auth.certificates;
    this.listenerViews = { anonymous: next.listener.anonymous, pinned: next.listener.pinnedVcluster };
    const limits = { ...next.limits, adminBodyBytes: this.config.limits.adminBodyBytes };
    this.limits = limits;
    this.topicPolicy = next.topicPolicy;
    this.config = {
      ...this.config,
      auth: { ...this.config.auth, users: next.auth.users, certificates: next.auth.certificates },
      listener: {
        ...this.config.listener,
        anonymous: next.listener.anonymous,
        pinnedVcluster: next.listener.pinnedVcluster,
        tls: plan.listenerTls ?? this.config.listener.tls,
      },
      limits,
      topicPolicy: next.topicPolicy,
      quotas: next.quotas,
    };
  }

  /** `plan` then `apply`, for callers with nothing to do in between. */
  update(next: Config): ReloadPlan {
    const plan = this.plan(next);
    this.apply(next, plan);
    return plan;
  }
}

function isLive(path: string): boolean {
  if (LIVE_PATHS.has(path)) return true;
  if (path.startsWith("limits.")) return !RESTART_LIMITS.has(path);
  if (path === "quotas" || path.startsWith("quotas.")) return true;
  return path === "topicPolicy" || path.startsWith("topicPolicy.");
}

/** A listener without TLS cannot start speaking it (nor the reverse); a TLS one can swap its files. */
function tlsChange(a: Config["listener"]["tls"], b: Config["listener"]["tls"]): { applied: string[]; restartNeeded: string[] } {
  if (!a || !b) return { applied: [], restartNeeded: ["listener.tls"] };
  const applied: string[] = [];
  const restartNeeded: string[] = [];
  for (const key of Object.keys({ ...a, ...b }) as (keyof typeof a)[]) {
    if (a[key] === b[key]) continue;
    const live = (LIVE_TLS_KEYS as readonly string[]).includes(key);
    (live ? applied : restartNeeded).push(`listener.tls.${key}`);
  }
  return { applied, restartNeeded };
}

function liveTls(a: ListenerTlsFiles, b: ListenerTlsFiles): ListenerTlsFiles {
  return { ...a, cert: b.cert, key: b.key, ca: b.ca };
}

/** Dotted paths (two levels: section.key) whose values differ. */
function changedPaths(a: Config, b: Config): string[] {
  const out: string[] = [];
  const sections = new Set([...Object.keys(a), ...Object.keys(b)]) as Set<keyof Config>;
  for (const section of sections) {
    const x = a[section] as unknown;
    const y = b[section] as unknown;
    if (JSON.stringify(x) === JSON.stringify(y)) continue;
    if (x && y && typeof x === "object" && typeof y === "object" && !Array.isArray(x)) {
      const keys = new Set([...Object.keys(x), ...Object.keys(y)]);
      for (const k of keys) {
        if (JSON.stringify((x as Record<string, unknown>)[k]) !== JSON.stringify((y as Record<string, unknown>)[k])) out.push(`${section}.${k}`);
      }
    } else {
      out.push(section);
    }
  }
  return out.sort();
}
