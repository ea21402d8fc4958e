import { describe, expect, it } from 'vitest';
import { api } from './api.js';
import { request } from '../helpers/http.js';
import { startProxy, type Running } from '../helpers/faultline.js';
import { countingUpstream } from '../helpers/upstream.js';
import { startRedis } from '../helpers/redis.js';
import { cleanupAfterEach } from '../helpers/cleanup.js';

const cleanups = cleanupAfterEach();

const QUOTAS = `version: 1
rules:
  - name: bytes-quota
    match: { method: PUT, path: /upload/** }
    when: { quota: { key: "header:x-tenant-id", measure: bytes, limit: 1000 } }
    fault: { status: 507 }
  - name: requests-quota
    match: { method: POST, path: /upload/** }
    when: { quota: { key: "header:x-tenant-id", measure: requests, limit: 2 } }
    fault: { status: 429 }
`;

async function setup(flags: Record<string, string> = {}): Promise<{ proxy: Running; seen: { url: string }[] }> {
  const upstream = await countingUpstream();
  cleanups.push(() => upstream.close());
  const proxy = await startProxy(upstream.url, { scenario: QUOTAS, flags });
  cleanups.push(() => proxy.close());
  return { proxy, seen: upstream.seen };
}

describe('/readyz during a drain', () => {
  it('answers 503 from the start of the drain until the proxy is closed, then the admin listener goes', async () => {
    const { proxy, seen } = await setup();
    expect((await request(`${proxy.admin}/readyz`)).status).toBe(200);
    const slow = request(`${proxy.url}/delay/800`);
    await expect.poll(() => seen.length).toBe(1);
    const closing = proxy.app.close(5000);
    const during = await request(`${proxy.admin}/readyz`);
    expect(during.status).toBe(503);
    expect(JSON.parse(during.text)).toEqual({ status: 'draining' });
    expect((await request(`${proxy.admin}/healthz`)).status).toBe(200);
    expect((await slow).status).toBe(200); // the in-flight request finished during the drain
    await closing;
    await expect(request(`${proxy.admin}/readyz`)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});

describe('PUT /quotas values', () => {
  it.each([
    ['bytes-quota', 1e300],
    ['bytes-quota', '1e300'],
    ['bytes-quota', -1],
    ['bytes-quota', '99999999999PiB'],
    ['requests-quota', 1e300],
    ['requests-quota', '9'.repeat(400)],
    ['requests-quota', -5],
    ['requests-quota', 1.5],
  ])('%s: used %j is refused with 400 problem+json, nothing stored', async (rule, used) => {
    const { proxy } = await setup();
    const r = await api(proxy.admin, 'PUT', `/quotas/${rule}/alice`, { body: JSON.stringify({ used }) });
    expect(r.status).toBe(400);
    expect(r.headers['content-type']).toBe('application/problem+json');
    expect(r.json).toMatchObject({ code: 'FAULTLINE_ADMIN_BAD_REQUEST' });
    expect((await api(proxy.admin, 'GET', '/quotas')).json?.quotas).toEqual([]);
  });

  it('accepts the largest exact value', async () => {
    const { proxy } = await setup();
    const r = await api(proxy.admin, 'PUT', '/quotas/requests-quota/alice', {
      body: JSON.stringify({ used: Number.MAX_SAFE_INTEGER }),
    });
    expect(r.status).toBe(200);
  });
});

describe('quota admin routes with the store down', () => {
  it('answer 503 FAULTLINE_STORE_UNAVAILABLE with one log line each and no stack', async () => {
    const redis = await startRedis();
    cleanups.push(() => redis.stop());
    const { proxy } = await setup({ store: redis.url, storeBudget: '200ms' });
    await expect.poll(async () => (await api(proxy.admin, 'GET', '/quotas')).status).toBe(200);
    await redis.kill();
    const before = proxy.logs.length;
    const calls: [string, string, string?][] = [
      ['GET', '/quotas'],
      ['PUT', '/quotas/bytes-quota/alice', JSON.stringify({ used: 10 })],
      ['DELETE', '/quotas'],
      ['DELETE', '/quotas/bytes-quota/alice'],
    ];
    for (const [method, path, body] of calls) {
      const r = await api(proxy.admin, method, path, body === undefined ? {} : { body });
      expect(r.status, `${method} ${path}`).toBe(503);
      expect(r.headers['content-type']).toBe('application/problem+json');
      expect(r.json).toMatchObject({ code: 'FAULTLINE_STORE_UNAVAILABLE', status: 503 });
      expect(r.text).not.toMatch(/\bat .+\.js:\d+/);
    }
    const lines = proxy.logs.slice(before).filter((l) => String(l.msg).startsWith('admin:'));
    expect(lines).toHaveLength(calls.length);
    for (const l of lines) expect(l).toMatchObject({ level: 40, msg: 'admin: quota store unavailable' });
    expect(JSON.stringify(proxy.logs.slice(before))).not.toMatch(/"stack"|FAULTLINE_INTERNAL/);
  });
});
