import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveCli, type Served } from '../helpers/cli.js';
import { scenarioFile } from '../helpers/faultline.js';
import { request } from '../helpers/http.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';
import { REDIS_SERVER, requires } from '../helpers/requires.js';

const HAVE_REDIS = requires(REDIS_SERVER, import.meta.url);
import { countingUpstream } from '../helpers/upstream.js';
import { api } from '../admin/api.js';

/*
 * Two faultline processes in front of one upstream, sharing quota state and runtime changes
 * through a real redis-server on a free loopback port.
 */
const SCENARIO = `version: 1
rules:
  - name: tenant-quota
    match: { method: PUT, path: /upload/** }
    when: { quota: { key: "header:x-tenant-id", measure: bytes, limit: 1MiB } }
    fault: { status: 507 }
  - name: teapot
    match: { path: /status/200 }
    fault: { status: 418 }
`;

let redis: RedisServer;
let up: Awaited<ReturnType<typeof countingUpstream>>;
let a: Served;
let b: Served;
let closedReplica: Served;

const KiB = 1024;
const put = (replica: Served, tenant: string, path: string, size: number) =>
  request(`http://127.0.0.1:${replica.proxyPort}/upload/${tenant}/${path}`, {
    method: 'PUT',
    headers: { 'x-tenant-id': tenant },
    body: Buffer.alloc(size, 1),
  });

async function eventually(check: () => Promise<boolean>, ms = 3000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return check();
}

beforeAll(async () => {
  if (!HAVE_REDIS) return;
  redis = await startRedis();
  up = await countingUpstream();
  const file = scenarioFile(SCENARIO);
  const args = (failure: string) => [
    'serve',
    '--upstream',
    up.url,
    '--listen',
    '127.0.0.1:0',
    '--admin',
    '127.0.0.1:0',
    '--scenarios',
    file,
    '--store',
    redis.url,
    '--store-failure',
    failure,
    '--store-budget',
    '200ms',
  ];
  [a, b, closedReplica] = await Promise.all([
    serveCli(args('fail-open')),
    serveCli(args('fail-open')),
    serveCli(args('fail-closed')),
  ]);
  await Promise.all([a, b, closedReplica].map((r) => r.waitForLine((l) => l.msg === 'quota store connected')));
}, 30_000);

afterAll(async () => {
  if (!HAVE_REDIS) return;
  await Promise.all([a, b, closedReplica].map((r) => r?.stop()));
  await up?.close();
  await redis?.stop();
});

describe.skipIf(!HAVE_REDIS)('replicas sharing a Redis store', () => {
  it('share one 1 MiB tenant quota exactly: the first upload over it gets 507 on whichever replica', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await put(i % 2 === 0 ? a : b, 'alice', `f${i}`, 100 * KiB)).status);
    // 10 x 100 KiB = 1000 KiB fit in 1024 KiB; the 11th (on replica a) and 12th (on b) do not.
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(201));
    expect(statuses.slice(10)).toEqual([507, 507]);
    const exact = await put(b, 'alice', 'last', 24 * KiB);
    expect(exact.status).toBe(201);
    const stored = up.seen.filter((s) => s.url.startsWith('/upload/alice/') && s.completedAt !== null).length;
    expect(stored).toBe(11);
    const quotas = await api(`http://127.0.0.1:${a.adminPort}`, 'GET', '/quotas');
    expect((quotas.json?.quotas as { key: string; used: number }[]).find((q) => q.key === 'alice')?.used).toBe(1024 * KiB);
  });

  it('concurrent uploads racing for the last bytes through both replicas admit exactly what fits', async () => {
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => put(i % 2 === 0 ? a : b, 'race', `r${i}`, 200 * KiB)));
    expect(results.filter((r) => r.status === 201)).toHaveLength(5);
    expect(results.filter((r) => r.status === 507)).toHaveLength(15);
  });

  it('a rule disabled through replica A stops firing on replica B within a second', async () => {
    expect((await request(`http://127.0.0.1:${b.proxyPort}/status/200`)).status).toBe(418);
    const patched = await api(`http://127.0.0.1:${a.adminPort}`, 'PATCH', '/rules/teapot', { body: '{"enabled":false}' });
    expect(patched.status).toBe(200);
    const started = Date.now();
    expect(await eventually(async () => (await request(`http://127.0.0.1:${b.proxyPort}/status/200`)).status === 200, 1000)).toBe(
      true,
    );
    expect(Date.now() - started).toBeLessThan(1000);
    await api(`http://127.0.0.1:${b.adminPort}`, 'PATCH', '/rules/teapot', { body: '{"enabled":true}' });
    expect(await eventually(async () => (await request(`http://127.0.0.1:${a.proxyPort}/status/200`)).status === 418, 1000)).toBe(
      true,
    );
  });

  it('Redis down: fail-open passes through, fail-closed answers 503; both recover when it returns', async () => {
    await redis.kill();
    const open = await put(a, 'down', 'x', 10);
    expect(open.status).toBe(201);
    const closed = await put(closedReplica, 'down', 'y', 10);
    expect(closed.status).toBe(503);
    expect(JSON.parse(closed.text)).toMatchObject({ code: 'FAULTLINE_STORE_UNAVAILABLE' });
    // Requests that match no quota rule never touch Redis: still answered normally.
    expect((await request(`http://127.0.0.1:${closedReplica.proxyPort}/echo`)).status).toBe(200);
    await a.waitForLine((l) => typeof l.msg === 'string' && l.msg.startsWith('quota store unavailable'));
    await redis.start();
    expect(await eventually(async () => (await put(closedReplica, 'back', 'z', 10)).status === 201, 8000)).toBe(true);
    expect((await put(a, 'back', 'w', 10)).status).toBe(201);
  }, 20_000);
});
