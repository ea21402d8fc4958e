import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RedisQuotaStore } from '../../src/quota/redis-store.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';
import { REDIS_SERVER, requires } from '../helpers/requires.js';

const HAVE_REDIS = requires(REDIS_SERVER, import.meta.url);

let redis: RedisServer;
let a: RedisQuotaStore;
let b: RedisQuotaStore;
const evicted: string[] = [];

beforeAll(async () => {
  if (!HAVE_REDIS) return;
  redis = await startRedis();
  a = new RedisQuotaStore(redis.url, { maxObjects: 3, commandTimeoutMs: 1000, onEvict: (r) => evicted.push(r) });
  b = new RedisQuotaStore(redis.url, { maxObjects: 3, commandTimeoutMs: 1000 });
  await Promise.all([a.redis.ping(), b.redis.ping()].map((p) => p.catch(() => undefined)));
  for (let i = 0; i < 50 && (a.redis.status !== 'ready' || b.redis.status !== 'ready'); i++)
    await new Promise((r) => setTimeout(r, 20));
});
afterAll(async () => {
  if (!HAVE_REDIS) return;
  await a.close();
  await b.close();
  await redis.stop();
});
beforeEach(async () => {
  if (!HAVE_REDIS) return;
  await a.reset();
  evicted.length = 0;
});

const slot = (key: string, period = 0) => ({ rule: 'q', key, period });

describe.skipIf(!HAVE_REDIS)('the Redis quota store', () => {
  it('two replicas racing for the last bytes: exactly what fits is reserved', async () => {
    const tries = Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? a : b).reserve(slot('race'), 100, 1000));
    const results = await Promise.all(tries);
    expect(results.filter((r) => r.ok)).toHaveLength(10);
  });

  it('settle commits or releases; usage is shared', async () => {
    expect((await a.reserve(slot('t'), 600, 1000)).ok).toBe(true);
    expect((await b.reserve(slot('t'), 600, 1000)).ok).toBe(false); // a's 600 is pending
    await a.settle(slot('t'), 600, 0); // released: the write failed
    expect((await b.reserve(slot('t'), 600, 1000)).ok).toBe(true);
    await b.settle(slot('t'), 600, 600);
    const r = await a.reserve(slot('t'), 500, 1000);
    expect(r).toMatchObject({ ok: false, used: 600, pending: 0 });
    expect((await a.entries(() => 0)).find((e) => e.key === 't')).toMatchObject({ used: 600, pending: 0 });
  });

  it('a new period starts usage again', async () => {
    await a.setUsed(slot('p', 1), 1000);
    expect((await a.reserve(slot('p', 1), 1, 1000)).ok).toBe(false);
    expect((await a.reserve(slot('p', 2), 1, 1000)).ok).toBe(true);
  });

  it('tracks objects: overwrite replaces, delete frees, the bound evicts the oldest', async () => {
    await a.putObject(slot('o'), 0, '/x', 300);
    await b.putObject(slot('o'), 0, '/x', 500);
    expect(await a.objectSize(slot('o'), '/x')).toBe(500);
    await a.putObject(slot('o'), 0, '/y', 100);
    await a.deleteObjects(slot('o'), '/x');
    expect((await a.entries(() => 0)).find((e) => e.key === 'o')).toMatchObject({ used: 100, objects: 1 });
    await a.putObject(slot('o'), 0, '/z1', 1);
    await a.putObject(slot('o'), 0, '/z2', 1);
    await a.putObject(slot('o'), 0, '/z3', 1); // fourth object: /y (oldest) is forgotten
    expect(evicted).toEqual(['q']);
    expect(await a.objectSize(slot('o'), '/y')).toBeNull();
  });

  it('objects recorded by an earlier version (JSON LRU members) are still forgotten in order and by reset', async () => {
    await a.redis.hset('faultline:q:q:old', 'period', '0', 'used', '9');
    await a.redis.hset('faultline:o:q:old', '/legacy', '9');
    await a.redis.zadd('faultline:lru', '0', JSON.stringify(['faultline:o:q:old', '/legacy', 'q']));
    await a.putObject(slot('n'), 0, '/1', 1);
    await a.putObject(slot('n'), 0, '/2', 1);
    await a.putObject(slot('n'), 0, '/3', 1); // fourth: the legacy object (oldest) is forgotten
    expect(evicted).toEqual(['q']);
    expect(await a.objectSize(slot('old'), '/legacy')).toBeNull();
    await a.redis.zadd('faultline:lru', '0', JSON.stringify(['faultline:o:q:old', '/again', 'q']));
    await a.reset('q', 'old');
    expect(await a.redis.zrange('faultline:lru', '0', '-1')).toEqual([
      'faultline:o:q:n\0/1',
      'faultline:o:q:n\0/2',
      'faultline:o:q:n\0/3',
    ]);
  });

  it('reset forgets one key or everything', async () => {
    await a.setUsed(slot('k1'), 5);
    await a.setUsed(slot('k2'), 5);
    expect(await a.reset('q', 'k1')).toBe(1);
    expect((await a.entries(() => 0)).map((e) => e.key)).toEqual(['k2']);
  });
});
