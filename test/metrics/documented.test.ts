import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { startDemoUpstream, startProxy } from '../helpers/faultline.js';
import { cleanupAfterEach } from '../helpers/cleanup.js';
import { scrape } from './scrape.js';

const cleanups = cleanupAfterEach();

/** A quota rule too, so the quota metric families are registered. */
const SCENARIO = `version: 1
rules:
  - name: uploads-507
    match: { method: PUT, path: /upload/** }
    when: { probability: 50% }
    fault: { status: 507 }
  - name: tenant-quota
    match: { method: POST, path: /upload/** }
    when: { quota: { key: header:x-tenant-id, measure: bytes, limit: 1KiB } }
    fault: { status: 507 }
`;

describe('docs/metrics.md and the registry agree', () => {
  const doc = readFileSync(new URL('../../docs/metrics.md', import.meta.url), 'utf8');
  const documented = new Set(
    [...doc.matchAll(/^\| `(faultline_[a-z_]+)` \| (counter|gauge|histogram) \|/gm)].map((m) => `${m[1]} ${m[2]}`),
  );

  it('every faultline_ metric GET /metrics exports is documented with its type, and nothing else is', async () => {
    const demo = await startDemoUpstream();
    cleanups.push(() => demo.close());
    const proxy = await startProxy(demo.url, { scenario: SCENARIO });
    cleanups.push(() => proxy.close());
    const { text } = await scrape(proxy.admin);
    const exported = new Set(
      [...text.matchAll(/^# TYPE (faultline_[a-z_]+) (counter|gauge|histogram)$/gm)].map((m) => `${m[1]} ${m[2]}`),
    );
    expect(exported.size).toBeGreaterThan(10);
    expect([...exported].filter((m) => !documented.has(m))).toEqual([]);
    expect([...documented].filter((m) => !exported.has(m))).toEqual([]);
  });
});
