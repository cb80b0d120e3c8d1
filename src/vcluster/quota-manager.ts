// The rates and counts behind a vcluster's quotas, shared by all connections of this kgate node:
// one windowed rate per vcluster and kind (always kept, for /metrics), one per principal where
// a principal quota applies, and the logged-in connections per vcluster and principal.
//
// Quotas are read from the store at each use (the config's defaults under the vcluster's own),
// so an admin change applies to the next request. Several kgate nodes each measure their own
// traffic: a quota holds per node, as a Kafka quota holds per broker.
import { effectiveQuotas, type PrincipalQuota, principalQuota, type Quotas } from "../model/quota-schema.ts";
import { KAFKA_QUOTA_WINDOW, type RateWindow, recordAndThrottle, WindowedRate } from "./quota-rate.ts";

export type QuotaKind = "produce" | "fetch" | "request";

const QUOTA_FIELD: Record<QuotaKind, keyof PrincipalQuota> = {
  produce: "producerByteRate",
  fetch: "consumerByteRate",
  request: "requestRate",
};

/** Idle sensors go after this (their rate is 0 long before); Kafka expires idle quota sensors too. */
const IDLE_SENSOR_MS = 10 * 60_000;
const SWEEP_EVERY_MS = 60_000;

export interface QuotaManagerOptions {
  /** The config's `quotas`: every vcluster's defaults. */
  defaults: Quotas;
  /** The vcluster's own quotas from the store, if it has any. */
  own(vcluster: string): Quotas | undefined;
  window?: RateWindow;
  clock?: () => number;
}

/** Why a login is refused: the limit, in words a client can act on. */
export type ConnectionRefusal = string;

export class QuotaManager {
  readonly window: RateWindow;
  private readonly clock: () => number;
  private readonly rates = new Map<string, WindowedRate>();
  /** Total throttle time handed out, per vcluster and kind (kgate_vcluster_throttle_time_ms_total). */
  readonly throttleTotals = new Map<string, Record<QuotaKind, number>>();
  private readonly connections = new Map<string, number>();
  /** Effective quotas per vcluster, kept while neither the defaults nor the vcluster's own change (every request asks). */
  private readonly effective = new Map<string, { defaults: Quotas; own: Quotas | undefined; value: Quotas }>();
  private lastSweep = 0;

  constructor(private readonly options: QuotaManagerOptions) {
    this.window = options.window ?? KAFKA_QUOTA_WINDOW;
    this.clock = options.clock ?? Date.now;
  }

  quotasOf(vcluster: string): Quotas {
    const defaults = this.options.defaults;
    const own = this.options.own(vcluster);
    const cached = this.effective.get(vcluster);
    if (cached && cached.defaults === defaults && cached.own === own) return cached.value;
    const value = effectiveQuotas(defaults, own);
    this.effective.set(vcluster, { defaults, own, value });
    return value;
  }

  /**
   * Records `value` for the vcluster (and for the principal where it has a quota of this kind)
   * and returns the throttle time: the larger of the vcluster's and the principal's.
   */
  record(kind: QuotaKind, vcluster: string, principal: string | undefined, value: number): number {
    const now = this.clock();
    this.maybeSweep(now);
    const quotas = this.quotasOf(vcluster);
    const field = QUOTA_FIELD[kind];
    let throttle = recordAndThrottle(this.rate(`${kind}\0${vcluster}`), value, quotas[field], now, this.window);
    // Most vclusters have no principal quotas: skip building one per request then.
    if (principal !== undefined && (quotas.principalDefaults != null || quotas.principals != null)) {
      const own = principalQuota(quotas, principal)[field];
      if (own != null) {
        throttle = Math.max(throttle, recordAndThrottle(this.rate(`${kind}\0${vcluster}\0${principal}`), value, own, now, this.window));
      }
    }
    if (throttle > 0) {
      let totals = this.throttleTotals.get(vcluster);
      if (!totals) this.throttleTotals.set(vcluster, totals = { produce: 0, fetch: 0, request: 0 });
      totals[kind] += throttle;
    }
    return throttle;
  }

  /**
   * The most a Fetch may ask for under the fetch quotas (ClientQuotaManager.getMaxValueInQuotaWindow:
   * quota × (samples - 1) windows), so one response cannot outrun the longest throttle; undefined
   * without a fetch quota.
   */
  fetchMaxBytes(vcluster: string, principal: string | undefined): number | undefined {
    const quotas = this.quotasOf(vcluster);
    const rates = [quotas.consumerByteRate, principal === undefined ? undefined : principalQuota(quotas, principal).consumerByteRate];
    const bound = Math.min(...rates.map((r) => r ?? Infinity));
    if (bound === Infinity) return undefined;
    return Math.max(1, Math.min(0x7fffffff, Math.floor(bound * (this.window.samples - 1) * (this.window.windowMs / 1000))));
  }

  /** The vcluster's current rate of `kind` per second (0 when nothing was recorded lately). */
  currentRate(kind: QuotaKind, vcluster: string): number {
    return this.rates.get(`${kind}\0${vcluster}`)?.measure(this.clock()) ?? 0;
  }

  /** Vclusters with a rate kept (for /metrics). */
  measuredVclusters(): Set<string> {
    const out = new Set<string>();
    for (const key of this.rates.keys()) {
      const parts = key.split("\0");
      if (parts.length === 2) out.add(parts[1]!);
    }
    return out;
  }

  /**
   * Takes a connection slot for the vcluster and principal, or says which limit is reached.
   * `held` is the slot the connection has already (a login after an anonymous or pinned view):
   * it does not count against the new one, and is given back once the new one is taken.
   */
  admit(vcluster: string, principal: string | undefined, held?: { vcluster: string; principal: string | undefined }): ConnectionRefusal | null {
    const quotas = this.quotasOf(vcluster);
    const inVcluster = (this.connections.get(vcluster) ?? 0) - (held?.vcluster === vcluster ? 1 : 0);
    if (quotas.maxConnections != null && inVcluster >= quotas.maxConnections) {
      return `virtual cluster ${vcluster} has reached its connection limit (${quotas.maxConnections}, quotas.maxConnections)`;
    }
    const principalKey = principal === undefined ? undefined : `${vcluster}\0${principal}`;
    if (principalKey !== undefined) {
      const max = principalQuota(quotas, principal!).maxConnections;
      const own = (this.connections.get(principalKey) ?? 0) - (held?.vcluster === vcluster && held.principal === principal ? 1 : 0);
      if (max != null && own >= max) {
        return `principal ${principal} has reached its connection limit in virtual cluster ${vcluster} (${max}, quotas.principals / principalDefaults maxConnections)`;
      }
    }
    if (held) this.release(held.vcluster, held.principal);
    if (principalKey !== undefined) this.connections.set(principalKey, (this.connections.get(principalKey) ?? 0) + 1);
    this.connections.set(vcluster, (this.connections.get(vcluster) ?? 0) + 1);
    return null;
  }

  release(vcluster: string, principal: string | undefined): void {
    for (const key of principal === undefined ? [vcluster] : [vcluster, `${vcluster}\0${principal}`]) {
      const left = (this.connections.get(key) ?? 1) - 1;
      if (left > 0) this.connections.set(key, left);
      else this.connections.delete(key);
    }
  }

  connectionCount(vcluster: string): number {
    return this.connections.get(vcluster) ?? 0;
  }

  private rate(key: string): WindowedRate {
    let rate = this.rates.get(key);
    if (!rate) this.rates.set(key, rate = new WindowedRate(this.window));
    return rate;
  }

  /** Bounded memory: sensors of principals and vclusters gone quiet are forgotten. */
  private maybeSweep(now: number): void {
    if (now - this.lastSweep < SWEEP_EVERY_MS) return;
    this.lastSweep = now;
    for (const [key, rate] of this.rates) if (now - rate.lastRecordMs > IDLE_SENSOR_MS) this.rates.delete(key);
    this.effective.clear();
  }
}
