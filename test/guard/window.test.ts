import { describe, expect, it } from 'vitest';
import { bucketUpperMs, latencyBucket, quantileMs, LATENCY_BUCKETS } from '../../src/guard/latency.js';
import { SlidingWindow } from '../../src/guard/window.js';

describe('latency buckets', () => {
  it('put every duration in a bucket whose upper bound is at most 15% above it', () => {
    for (const ms of [0.05, 0.1, 0.2, 1, 3.3, 42, 800, 5000, 60_000]) {
      const b = latencyBucket(ms);
      expect(bucketUpperMs(b)).toBeGreaterThanOrEqual(ms);
      if (ms > 0.1) expect(bucketUpperMs(b)).toBeLessThanOrEqual(ms * 1.15 + 1e-9);
    }
    expect(latencyBucket(1e9)).toBe(LATENCY_BUCKETS - 1);
  });

  it('read quantiles as bucket upper bounds', () => {
    const counts = new Float64Array(LATENCY_BUCKETS);
    for (let i = 1; i <= 100; i++) counts[latencyBucket(i)]!++;
    const p99 = quantileMs(counts, 100, 0.99)!;
    expect(p99).toBeGreaterThanOrEqual(99);
    expect(p99).toBeLessThanOrEqual(99 * 1.15);
    expect(quantileMs(counts, 0, 0.5)).toBeNull();
  });
});

describe('SlidingWindow', () => {
  it('counts the last span and forgets what slid out, slot by slot', () => {
    const w = new SlidingWindow(1000, true);
    for (let t = 0; t < 500; t += 10) w.add(t, t % 20 === 0, 5);
    expect(w.figures(499)).toEqual({ requests: 50, errors: 25, timed: 50 });
    for (let t = 500; t < 1000; t += 10) w.add(t, false, 200);
    expect(w.figures(999)).toEqual({ requests: 100, errors: 25, timed: 100 });
    expect(w.quantile(999, 0.99)).toBeGreaterThanOrEqual(200);
    // At 1400 the slots holding 0..499 have slid out (slots of 100 ms: the window is 500..1499).
    expect(w.figures(1400)).toEqual({ requests: 50, errors: 0, timed: 50 });
    expect(w.quantile(1400, 0.01)).toBeGreaterThanOrEqual(200);
    expect(w.figures(5000)).toEqual({ requests: 0, errors: 0, timed: 0 });
    expect(w.quantile(5000, 0.99)).toBeNull();
  });

  it('clear() empties it', () => {
    const w = new SlidingWindow(100, false);
    w.add(1, true, -1);
    w.clear();
    expect(w.figures(2)).toEqual({ requests: 0, errors: 0, timed: 0 });
  });
});
