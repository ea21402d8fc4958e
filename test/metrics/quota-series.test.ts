import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { startDemoUpstream, startProxy } from '../helpers/faultline.js';
import { request } from '../helpers/http.js';
import { cleanupAfterEach } from '../helpers/cleanup.js';
import { scrape } from './scrape.js';

const cleanups = cleanupAfterEach();

const rule = (name: string, perKey: boolean): string => `
  - name: ${name}
    match: { path: /upload/** }
    when: { quota: { key: "header:x-tenant-id", measure: bytes, limit: 1KiB, metricsPerKey: ${perKey} } }
    fault: { status: 507 }`;

describe('quota metric series', () => {
  it('exist at 0 as soon as the rule loads, and go when a reload removes the rule', async () => {
    const up = await startDemoUpstream();
    cleanups.push(() => up.close());
    const proxy = await startProxy(up.url, { scenario: `version: 1\nrules:${rule('shared', false)}${rule('per-key', true)}\n` });
    cleanups.push(() => proxy.close());
    const m = await scrape(proxy.admin);
    for (const name of ['shared', 'per-key']) {
      expect(m.value('faultline_quota_exceeded_total', { rule: name }), name).toBe(0);
      expect(m.value('faultline_quota_objects_evicted_total', { rule: name }), name).toBe(0);
    }
    expect(m.value('faultline_quota_used', { rule: 'shared', key: '' })).toBe(0);
    expect(m.value('faultline_quota_limit', { rule: 'shared', key: '' })).toBe(0);

    writeFileSync(proxy.scenarioFile!, `version: 1\nrules:${rule('shared', false)}\n`);
    expect((await request(`${proxy.admin}/reload`, { method: 'POST' })).status).toBe(200);
    const after = await scrape(proxy.admin);
    expect(after.value('faultline_quota_exceeded_total', { rule: 'per-key' })).toBeUndefined();
    expect(after.value('faultline_quota_exceeded_total', { rule: 'shared' })).toBe(0);
  });
});
