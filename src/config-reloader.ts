// Applies a new configuration to a running kgate, on SIGHUP or when the config file changes.
// All or nothing: a file that does not validate, or listener certificate files that do not load,
// are refused with `path: reason` and nothing changes. What cannot change live is logged as
// needing a restart and keeps its running value. Reloads run one at a time, in order.
import type { Config } from "./config/schema.ts";
import type { LiveSettings, ReloadPlan } from "./live-settings.ts";
import { getLogger } from "./base/log.ts";

const log = getLogger("config");

/** The effects of a reload on the running parts, in the order they are called. */
export interface LiveTargets {
  /** Swaps the listener's certificate files; throws `path: reason` when they do not load. */
  replaceListenerTls?(files: NonNullable<ReloadPlan["listenerTls"]>): Promise<void>;
  /** Everything that cannot fail: limits, topic policy, identities… (read from `live`). */
  applied(plan: ReloadPlan): void;
  /** Re-checks every open connection's login and view; returns how many closed. */
  recheckSessions(): number;
}

export type ReloadTrigger = "SIGHUP" | "file change";

export class ConfigReloader {
  private queue: Promise<void> = Promise.resolve();
  /** The last file contents that validated: a file change back to it (or a SIGHUP's echo) is no news. */
  private lastLoaded: string;

  constructor(
    private readonly live: LiveSettings,
    private readonly load: () => Promise<Config>,
    private readonly targets: LiveTargets,
  ) {
    this.lastLoaded = JSON.stringify(live.running);
  }

  /** Queues a reload; resolves when it (and those before it) are done. */
  reload(trigger: ReloadTrigger): Promise<void> {
    this.queue = this.queue.then(() => this.run(trigger));
    return this.queue;
  }

  private async run(trigger: ReloadTrigger): Promise<void> {
    let next: Config;
    try {
      next = await this.load();
    } catch (e) {
      log.error("config reload refused (on {trigger}), nothing changed: {reason}", { trigger, reason: (e as Error).message });
      return;
    }
    const text = JSON.stringify(next);
    // SIGHUP always reports; a file change that brings nothing new (the poll seeing a file a
    // SIGHUP already reloaded, a touch) stays quiet.
    if (trigger === "file change" && text === this.lastLoaded) return;
    const plan = this.live.plan(next);
    if (plan.listenerTls && this.targets.replaceListenerTls) {
      try {
        await this.targets.replaceListenerTls(plan.listenerTls);
      } catch (e) {
        log.error("config reload refused (on {trigger}), nothing changed: {reason}", { trigger, reason: (e as Error).message });
        return;
      }
    }
    this.lastLoaded = text;
    this.live.apply(next, plan);
    this.targets.applied(plan);
    if (plan.restartNeeded.length > 0) {
      log.warn("config reload: {paths} changed but need a restart; the running values stay", { paths: plan.restartNeeded.join(", ") });
    }
    const closed = this.targets.recheckSessions();
    log.info("config reloaded: {applied} (on {trigger}); {closed} connections closed", {
      trigger,
      applied: plan.applied.length ? plan.applied.join(", ") : "nothing live changed",
      closed,
    });
  }
}
