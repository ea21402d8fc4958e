import { describe, expect, it } from 'vitest';
import { cleanupAfterEach } from '../helpers/cleanup.js';
import { startProxy } from '../helpers/faultline.js';
import { request } from '../helpers/http.js';
import { startRedis } from '../helpers/redis.js';
import { countingUpstream } from '../helpers/upstream.js';
import { api } from '../admin/api.js';
import { createSession } from './helpers.js';

const cleanup = cleanupAfterEach();

/** Poll until `check` holds (at most `ms`); returns whether it did. */
async function eventually(check: () => Promise<boolean>, ms = 3000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return check();
}

async function replicas() {
  const redis = await startRedis();
  cleanup.push(() => redis.stop());
  const up = await countingUpstream();
  cleanup.push(() => up.close());
  const start = () => startProxy(up.url, { flags: { store: redis.url, storeBudget: '500ms' } });
  const [a, b] = await Promise.all([start(), start()]);
  cleanup.push(
    () => a.close(),
    () => b.close(),
  );
  // Quota accounting needs the store connected (until then requests fail open, uncounted).
  for (const r of [a, b]) expect(await eventually(async () => r.logs.some((l) => l.msg === 'quota store connected'))).toBe(true);
  return { a, b, up, redis };
}

describe('sessions across replicas (--store redis://, a real redis-server)', () => {
  it('a session created on replica A applies on replica B, with the same seeded decisions; deleting it on A ends it on B', async () => {
    const { a, b } = await replicas();
    const s = await createSession(a.admin, {
      seed: 5,
      rules: [
        { name: 'disk-full', match: { method: 'PUT', path: '/upload/**' }, fault: { status: 507 } },
        { name: 'coin', match: { path: '/status/200' }, when: { probability: '50%' }, fault: { status: 503 } },
      ],
    });
    expect(await eventually(async () => (await api(b.admin, 'GET', `/sessions/${s.id}`)).status === 200)).toBe(true);
    const put = await request(`${b.url}/upload/x`, { method: 'PUT', headers: s.header, body: 'x' });
    expect(put.status).toBe(507);
    expect(put.headers['x-faultline-fault']).toBe('disk-full');
    expect((await request(`${b.url}/upload/x`, { method: 'PUT', body: 'x' })).status).toBe(201);
    // Same seed on both replicas: the same sequence of random decisions.
    const coins = async (url: string) => {
      const out: number[] = [];
      for (let i = 0; i < 16; i++) out.push((await request(`${url}/status/200`, { headers: s.header })).status);
      return out;
    };
    const onA = await coins(a.url);
    expect(onA).toContain(503);
    expect(await coins(b.url)).toEqual(onA);
    // Counters are per replica.
    const view = (await api(b.admin, 'GET', `/sessions/${s.id}`)).json as { rules: { name: string; injected: number }[] };
    expect(view.rules.find((r) => r.name === 'disk-full')?.injected).toBe(1);

    expect((await api(a.admin, 'DELETE', `/sessions/${s.id}`)).status).toBe(200);
    expect(await eventually(async () => (await api(b.admin, 'GET', `/sessions/${s.id}`)).status === 404)).toBe(true);
    expect((await request(`${b.url}/upload/x`, { method: 'PUT', headers: s.header, body: 'x' })).status).toBe(201);
  });

  it("a session's quota usage is shared by the replicas", async () => {
    const { a, b } = await replicas();
    const s = await createSession(b.admin, {
      rules: [
        {
          name: 'one-upload',
          match: { method: 'PUT', path: '/upload/**' },
          when: { quota: { key: 'global', measure: 'requests', limit: 1 } },
          fault: { status: 507 },
        },
      ],
    });
    expect(await eventually(async () => (await api(a.admin, 'GET', `/sessions/${s.id}`)).status === 200)).toBe(true);
    expect((await request(`${a.url}/upload/1`, { method: 'PUT', headers: s.header, body: 'x' })).status).toBe(201);
    expect((await request(`${b.url}/upload/2`, { method: 'PUT', headers: s.header, body: 'x' })).status).toBe(507);
  });

  it('a replica that starts later adopts the live sessions', async () => {
    const { a, up, redis } = await replicas();
    const s = await createSession(a.admin, { rules: [{ name: 'teapot', fault: { status: 418 } }] });
    const late = await startProxy(up.url, { flags: { store: redis.url } });
    cleanup.push(() => late.close());
    expect(await eventually(async () => (await request(`${late.url}/status/200`, { headers: s.header })).status === 418)).toBe(
      true,
    );
  });
});
