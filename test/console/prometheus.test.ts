import { describe, expect, it } from 'vitest';
import { parseMetrics, quantileMs, rate } from '../../src/console/ui/prometheus.js';
import { startDemoUpstream, startProxy } from '../helpers/faultline.js';
import { request } from '../helpers/http.js';

describe("the console's reading of GET /metrics", () => {
  it('sums requests by outcome and reads the proxied histogram from the real exposition', async () => {
    const demo = await startDemoUpstream();
    const proxy = await startProxy(demo.url, {
      scenario: 'version: 1\nrules:\n  - name: full\n    match: { path: /upload/** }\n    fault: { status: 507 }\n',
    });
    try {
      const before = parseMetrics((await request(`${proxy.admin}/metrics`)).text, 0);
      for (let i = 0; i < 3; i++) await request(`${proxy.url}/status/200`);
      await request(`${proxy.url}/status/404`);
      await request(`${proxy.url}/upload/x`, { method: 'PUT', body: 'x' });
      const after = parseMetrics((await request(`${proxy.admin}/metrics`)).text, 2000);
      expect(rate(before, after, 'proxied')).toBe(2);
      expect(rate(before, after, 'injected')).toBe(0.5);
      expect(rate(before, after, 'upstream_error')).toBe(0);
      expect(after.buckets[after.buckets.length - 1]).toEqual({ le: Infinity, count: 4 });
      expect(quantileMs(before, after, 0.5)).toBeGreaterThan(0);
    } finally {
      await proxy.close();
      await demo.close();
    }
  });

  it('estimates quantiles like histogram_quantile: linear inside the bucket, null without requests', () => {
    const at = (t: number, counts: number[]) => ({
      at: t,
      requests: {},
      buckets: [0.001, 0.01, 0.1, Infinity].map((le, i) => ({ le, count: counts[i] ?? 0 })),
    });
    const a = at(0, [10, 10, 10, 10]);
    const b = at(1000, [10, 60, 110, 110]);
    // 100 new requests: 50 in (1 ms, 10 ms], 50 in (10 ms, 100 ms].
    expect(quantileMs(a, b, 0.5)).toBeCloseTo(10);
    expect(quantileMs(a, b, 0.25)).toBeCloseTo(5.5);
    expect(quantileMs(a, b, 0.99)).toBeCloseTo(98.2);
    expect(quantileMs(a, a, 0.5)).toBeNull();
    // Past the last finite bucket the estimate is that bucket's bound, as Prometheus does.
    expect(quantileMs(a, at(1000, [10, 10, 10, 20]), 0.5)).toBe(100);
  });
});
