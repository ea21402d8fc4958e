import { describe, expect, it } from 'vitest';
import { createAdminCommands } from '../../src/cli/admin-commands.js';
import type { CommandIO } from '../../src/cli/io.js';
import { api } from '../admin/api.js';
import { request } from '../helpers/http.js';
import { startDemoUpstream, startProxy, type Running } from '../helpers/faultline.js';
import { scrape } from '../metrics/scrape.js';
import { cleanupAfterEach } from '../helpers/cleanup.js';

const SCENARIO = `version: 1
rules:
  - name: tenant-quota
    match: { method: [PUT, DELETE], path: /upload/** }
    when: { quota: { key: "header:x-tenant-id", measure: bytes, limit: 1000 } }
    fault: { status: 507 }
  - name: per-key
    match: { method: POST, path: /upload/** }
    when: { quota: { key: "header:x-tenant-id", measure: requests, limit: 2, metricsPerKey: true } }
    fault: { status: 429, retryAfter: 60 }
`;

const cleanups = cleanupAfterEach();

async function setup(flags: Record<string, string> = {}): Promise<Running> {
  const demo = await startDemoUpstream();
  cleanups.push(() => demo.close());
  const proxy = await startProxy(demo.url, { scenario: SCENARIO, flags });
  cleanups.push(() => proxy.close());
  return proxy;
}

const put = (proxy: Running, tenant: string, size: number, method = 'PUT') =>
  request(`${proxy.url}/upload/${tenant}/f`, { method, headers: { 'x-tenant-id': tenant }, body: Buffer.alloc(size) });

async function cli(argv: string[], env: Record<string, string>): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CommandIO = { out: (s) => (out += s + '\n'), err: (s) => (err += s + '\n') };
  const [name, ...rest] = argv;
  const code = await createAdminCommands(env)[name!]!(rest, io);
  return { code, out, err };
}

describe('quota control: admin API, CLI, metrics', () => {
  it('GET /quotas shows usage per rule and key', async () => {
    const proxy = await setup();
    expect((await put(proxy, 'alice', 400)).status).toBe(201);
    expect((await put(proxy, 'bob', 100)).status).toBe(201);
    const r = await api(proxy.admin, 'GET', '/quotas');
    expect(r.status).toBe(200);
    expect(r.json?.quotas).toEqual([
      { rule: 'tenant-quota', key: 'alice', used: 400, pending: 0, limit: 1000, unit: 'bytes', objects: 0 },
      { rule: 'tenant-quota', key: 'bob', used: 100, pending: 0, limit: 1000, unit: 'bytes', objects: 0 },
    ]);
  });

  it('PUT /quotas/:rule/:key starts a test near the limit; DELETE resets', async () => {
    const proxy = await setup();
    const set = await api(proxy.admin, 'PUT', '/quotas/tenant-quota/carol', { body: JSON.stringify({ used: '0.9KiB' }) });
    expect(set.status).toBe(200);
    expect(set.json).toMatchObject({ used: 921, limit: 1000 });
    expect((await put(proxy, 'carol', 100)).status).toBe(507);
    expect((await put(proxy, 'carol', 79)).status).toBe(201);
    expect((await api(proxy.admin, 'DELETE', '/quotas/tenant-quota/carol')).json).toEqual({ reset: 1 });
    expect((await put(proxy, 'carol', 1000)).status).toBe(201);
    expect(proxy.logs.some((l) => l.msg === 'admin: quota of "tenant-quota" for carol set to 921 bytes')).toBe(true);
  });

  it('answers 404 for an unknown or non-quota rule and 400 for a bad body', async () => {
    const proxy = await setup();
    expect((await api(proxy.admin, 'PUT', '/quotas/nope/k', { body: '{"used":1}' })).status).toBe(404);
    const bad = await api(proxy.admin, 'PUT', '/quotas/tenant-quota/k', { body: '{"used":"lots"}' });
    expect(bad.status).toBe(400);
    expect(String(bad.json?.detail)).toMatch(/^used: /);
    expect((await api(proxy.admin, 'PUT', '/quotas/tenant-quota/k', { body: '{"use":1}' })).status).toBe(400);
  });

  it('needs the admin token when one is set; state unchanged without it', async () => {
    const proxy = await setup({ adminToken: 'q-token' });
    expect((await api(proxy.admin, 'PUT', '/quotas/tenant-quota/dan', { body: '{"used":999}' })).status).toBe(401);
    expect((await api(proxy.admin, 'GET', '/quotas')).status).toBe(401);
    expect((await put(proxy, 'dan', 500)).status).toBe(201);
    expect((await api(proxy.admin, 'DELETE', '/quotas', { token: 'q-token' })).json).toEqual({ reset: 1 });
  });

  it('the CLI lists, sets and resets quotas', async () => {
    const proxy = await setup();
    const env = { FAULTLINE_ADMIN: proxy.admin.replace('http://', '') };
    expect((await put(proxy, 'erin', 300)).status).toBe(201);
    const listed = await cli(['quotas'], env);
    expect(listed.code).toBe(0);
    expect(listed.out).toMatch(/tenant-quota\s+erin\s+300B\s+1000B\s+30%/);
    const set = await cli(['quota', 'set', 'tenant-quota', 'erin', '950'], env);
    expect(set).toMatchObject({ code: 0, out: 'tenant-quota erin: 950B of 1000B used\n' });
    expect((await put(proxy, 'erin', 100)).status).toBe(507);
    expect(await cli(['quota', 'reset', 'tenant-quota'], env)).toMatchObject({ code: 0, out: 'reset 1 key(s)\n' });
    const unknown = await cli(['quota', 'set', 'nope', 'k', '1'], env);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toMatch(/no rule named "nope"/);
    expect((await cli(['quota', 'explode'], env)).code).toBe(2);
  });

  it('metrics after a known sequence: used, limit, exceeded; per key when asked', async () => {
    const proxy = await setup();
    await put(proxy, 'a', 600); // 201
    await put(proxy, 'a', 600); // 507
    await put(proxy, 'b', 300); // 201
    for (let i = 0; i < 3; i++) await put(proxy, 'k', 0, 'POST'); // 201, 201, 429
    const m = await scrape(proxy.admin);
    expect(m.value('faultline_quota_used', { rule: 'tenant-quota', key: '' })).toBe(900);
    expect(m.value('faultline_quota_limit', { rule: 'tenant-quota', key: '' })).toBe(2000);
    expect(m.value('faultline_quota_exceeded_total', { rule: 'tenant-quota' })).toBe(1);
    expect(m.value('faultline_quota_used', { rule: 'per-key', key: 'k' })).toBe(2);
    expect(m.value('faultline_quota_limit', { rule: 'per-key', key: 'k' })).toBe(2);
    expect(m.value('faultline_quota_exceeded_total', { rule: 'per-key' })).toBe(1);
    expect(m.value('faultline_store_up', {})).toBe(1);
  });
});
