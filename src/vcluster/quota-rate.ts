// Kafka's quota maths, as the broker does it (org.apache.kafka.common.metrics.stats.Rate over a
// SampledStat, and QuotaUtils.throttleTime): a rate over `samples` windows of `windowMs`, and the
// throttle time that brings a client back under its quota.
//
// The rate divides the sum of the retained samples by the elapsed time since the oldest sample,
// plus the whole windows missing while fewer than (samples - 1) have passed: a client's first
// burst is measured against the whole window, as in Kafka, so it may send about
// quota × (samples - 1) × window before the first throttle. Throttle time = (rate - quota) / quota × window size, at most samples × window
// (ClientQuotaManager's maxThrottleTimeMs).

export interface RateWindow {
  /** Kafka's quota.window.num (11). */
  readonly samples: number;
  /** Kafka's quota.window.size.seconds (1), in ms. */
  readonly windowMs: number;
}

export const KAFKA_QUOTA_WINDOW: RateWindow = { samples: 11, windowMs: 1000 };

interface Sample {
  value: number;
  /** When the sample's window began. */
  startMs: number;
}

export class WindowedRate {
  private readonly samples: Sample[] = [];
  private current = 0;
  /** The last time anything was recorded, for dropping idle sensors. */
  lastRecordMs = -Infinity;

  constructor(private readonly window: RateWindow = KAFKA_QUOTA_WINDOW) {}

  record(value: number, now: number): void {
    let sample = this.currentSample(now);
    if (now - sample.startMs >= this.window.windowMs) sample = this.advance(now);
    sample.value += value;
    this.lastRecordMs = now;
  }

  /** Kafka's Rate.measure: per second. */
  measure(now: number): number {
    this.purgeObsolete(now);
    let sum = 0;
    for (const s of this.samples) sum += s.value;
    return sum / (this.windowSizeMs(now) / 1000);
  }

  /** Kafka's Rate.windowSize: elapsed time since the oldest sample, plus the missing of (samples - 1) whole windows. */
  windowSizeMs(now: number): number {
    this.purgeObsolete(now);
    const { samples, windowMs } = this.window;
    let elapsed = now - this.oldest(now).startMs;
    const fullWindows = Math.floor(elapsed / windowMs);
    if (fullWindows < samples - 1) elapsed += (samples - 1 - fullWindows) * windowMs;
    return Math.max(elapsed, 1);
  }

  private currentSample(now: number): Sample {
    if (this.samples.length === 0) this.samples.push({ value: 0, startMs: now });
    return this.samples[this.current]!;
  }

  private advance(now: number): Sample {
    this.current = (this.current + 1) % this.window.samples;
    if (this.current >= this.samples.length) {
      const sample = { value: 0, startMs: now };
      this.samples.push(sample);
      return sample;
    }
    const sample = this.samples[this.current]!;
    sample.value = 0;
    sample.startMs = now;
    return sample;
  }

  private oldest(now: number): Sample {
    if (this.samples.length === 0) this.samples.push({ value: 0, startMs: now });
    let oldest = this.samples[0]!;
    for (const s of this.samples) if (s.startMs < oldest.startMs) oldest = s;
    return oldest;
  }

  /** Samples older than the whole window start again at `now`, empty (SampledStat.purgeObsoleteSamples). */
  private purgeObsolete(now: number): void {
    const expireAge = this.window.samples * this.window.windowMs;
    for (const s of this.samples) {
      if (now - s.startMs >= expireAge) {
        s.value = 0;
        s.startMs = now;
      }
    }
  }
}

/** Kafka's ClientQuotaManager.maxThrottleTimeMs: the whole quota window. */
export function maxThrottleTimeMs(window: RateWindow): number {
  return window.samples * window.windowMs;
}

/**
 * Records `value` and says how long the client must wait (QuotaUtils.throttleTime, bounded by
 * the window): 0 while the rate is within `quota` (Kafka's check is `rate <= quota`).
 */
export function recordAndThrottle(rate: WindowedRate, value: number, quota: number | null | undefined, now: number, window: RateWindow): number {
  rate.record(value, now);
  return throttleTimeMs(rate, quota, now, window);
}

export function throttleTimeMs(rate: WindowedRate, quota: number | null | undefined, now: number, window: RateWindow): number {
  if (quota == null) return 0;
  const observed = rate.measure(now);
  if (observed <= quota) return 0;
  const throttle = Math.round(((observed - quota) / quota) * rate.windowSizeMs(now));
  return Math.min(throttle, maxThrottleTimeMs(window));
}
