// Kafka's quota maths (Rate over SampledStat, QuotaUtils.throttleTime), case by case against the
// broker's formula: rate = sum / max(elapsed, (samples - 1) windows); throttle = (rate - quota) /
// quota × window size, at most samples × window.
import { describe, expect, test } from "bun:test";
import { maxThrottleTimeMs, type RateWindow, recordAndThrottle, throttleTimeMs, WindowedRate } from "../../src/vcluster/quota-rate.ts";

const KAFKA: RateWindow = { samples: 11, windowMs: 1000 };

describe("WindowedRate (Kafka's Rate)", () => {
  test("a first burst is measured against (samples - 1) whole windows", () => {
    const rate = new WindowedRate(KAFKA);
    rate.record(10_000, 0);
    expect(rate.windowSizeMs(0)).toBe(10_000);
    expect(rate.measure(0)).toBe(1000); // 10 000 bytes over 10 s
    expect(rate.measure(500)).toBe(10_000 / 10.5);
  });

  test("past (samples - 1) windows the elapsed time since the oldest sample counts", () => {
    const rate = new WindowedRate(KAFKA);
    for (let t = 0; t <= 10_500; t += 500) rate.record(100, t);
    // Samples start at 0, 1000, …, 10 000: eleven of them, none expired; elapsed 10.5 s.
    expect(rate.windowSizeMs(10_500)).toBe(10_500);
    expect(rate.measure(10_500)).toBeCloseTo((22 * 100) / 10.5, 6);
  });

  test("samples older than samples × window are forgotten", () => {
    const rate = new WindowedRate(KAFKA);
    rate.record(5000, 0);
    expect(rate.measure(10_999)).toBeGreaterThan(0);
    expect(rate.measure(11_000)).toBe(0);
  });

  test("samples are reused in a ring of `samples`", () => {
    const rate = new WindowedRate({ samples: 3, windowMs: 100 });
    rate.record(1, 0);
    rate.record(2, 100);
    rate.record(4, 200);
    rate.record(8, 300); // overwrites the sample of t=0
    expect(rate.measure(300)).toBeCloseTo((2 + 4 + 8) / 0.2, 6);
  });
});

describe("throttle time (QuotaUtils.throttleTime)", () => {
  test("none while the rate is within the quota (rate <= quota is fine)", () => {
    const rate = new WindowedRate(KAFKA);
    expect(recordAndThrottle(rate, 10_000, 1000, 0, KAFKA)).toBe(0); // exactly 1000/s
    expect(recordAndThrottle(rate, 1, 1000, 0, KAFKA)).toBe(1); // 10 001 / 10 s: (1000.1 - 1000) / 1000 × 10 000 ms
  });

  test("(rate - quota) / quota × window size", () => {
    const rate = new WindowedRate(KAFKA);
    // 30 000 bytes at t=0 against 1000/s: rate 3000/s over a 10 s window → 2 × 10 000 ms, capped at 11 s.
    expect(recordAndThrottle(rate, 30_000, 1000, 0, KAFKA)).toBe(11_000);
    const r2 = new WindowedRate(KAFKA);
    expect(recordAndThrottle(r2, 15_000, 1000, 0, KAFKA)).toBe(5000); // (1500 - 1000) / 1000 × 10 000
  });

  test("in the first windows the window does not grow: waiting the throttle out does not end it yet", () => {
    const rate = new WindowedRate(KAFKA);
    const t = recordAndThrottle(rate, 15_000, 1000, 0, KAFKA);
    expect(t).toBe(5000);
    expect(throttleTimeMs(rate, 1000, t, KAFKA)).toBe(5000); // still 15 000 over 10 s at t = 5 s
    expect(throttleTimeMs(rate, 1000, 10_000, KAFKA)).toBe(5000); // from 10 s on the window is the elapsed time
    expect(throttleTimeMs(rate, 1000, 11_000, KAFKA)).toBe(0); // the burst's sample has expired
  });

  test("in steady state, waiting the throttle out brings the rate back to about the quota", () => {
    const rate = new WindowedRate(KAFKA);
    for (let now = 0; now < 12_000; now += 100) rate.record(100, now); // 1000/s
    const t = recordAndThrottle(rate, 5000, 1000, 12_000, KAFKA);
    expect(t).toBeGreaterThan(0);
    expect(rate.measure(12_000 + t)).toBeLessThan(1000 * 1.1);
  });

  test("a client sending as fast as it may converges to its quota", () => {
    const window: RateWindow = { samples: 4, windowMs: 1000 };
    const rate = new WindowedRate(window);
    const quota = 2 * 1024 * 1024;
    let now = 0;
    let sent = 0;
    let sentAfterWarmup = 0;
    while (now < 60_000) {
      const throttle = recordAndThrottle(rate, 256 * 1024, quota, now, window);
      sent += 256 * 1024;
      if (now >= 10_000) sentAfterWarmup += 256 * 1024;
      now += Math.max(throttle, 5); // the client waits out the throttle, or 5 ms per request
    }
    expect(sent).toBeGreaterThan(0);
    const steady = sentAfterWarmup / 50;
    expect(steady).toBeLessThan(quota * 1.1);
    expect(steady).toBeGreaterThan(quota * 0.8);
  });

  test("no quota, no throttle; the cap is the whole window", () => {
    const rate = new WindowedRate(KAFKA);
    expect(recordAndThrottle(rate, 1e12, null, 0, KAFKA)).toBe(0);
    expect(maxThrottleTimeMs(KAFKA)).toBe(11_000);
  });
});
