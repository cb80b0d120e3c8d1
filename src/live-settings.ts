// The parts of the configuration kgate applies without a restart (SIGHUP): static users, client
// certificate mappings, how the listener treats clients that do not log in, and the default quotas. Everything else is
// reported as needing a restart, and the running value stays.
import type { Config } from "./config/schema.ts";
import type { ListenerViews } from "./vcluster/vcluster-policy.ts";

const LIVE_PATHS = new Set(["auth.users", "auth.certificates", "listener.anonymous", "listener.pinnedVcluster"]);
const isLive = (path: string) => LIVE_PATHS.has(path) || path === "quotas" || path.startsWith("quotas.");

export class LiveSettings {
  users: Config["auth"]["users"];
  certificates: Config["auth"]["certificates"];
  listenerViews: ListenerViews;
  quotas: Config["quotas"];

  constructor(private config: Config) {
    this.quotas = config.quotas;
    this.users = config.auth.users;
    this.certificates = config.auth.certificates;
    this.listenerViews = { anonymous: config.listener.anonymous, pinned: config.listener.pinnedVcluster };
  }

  /** Takes the live parts of `next`; returns what changed live and what needs a restart. */
  update(next: Config): { applied: string[]; restartNeeded: string[] } {
    const changed = changedPaths(this.config, next);
    const applied = changed.filter(isLive);
    const restartNeeded = changed.filter((p) => !isLive(p));
    this.quotas = next.quotas;
    this.users = next.auth.users;
    this.certificates = next.auth.certificates;
    this.listenerViews = { anonymous: next.listener.anonymous, pinned: next.listener.pinnedVcluster };
    this.config = {
      ...this.config,
      auth: { ...this.config.auth, users: next.auth.users, certificates: next.auth.certificates },
      listener: { ...this.config.listener, anonymous: next.listener.anonymous, pinnedVcluster: next.listener.pinnedVcluster },
      quotas: next.quotas,
    };
    return { applied, restartNeeded };
  }
}

/** Dotted paths (two levels: section.key) whose values differ. */
export function changedPaths(a: Config, b: Config): string[] {
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
