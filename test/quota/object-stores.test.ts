import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryQuotaStore } from '../../src/quota/memory-store.js';
import { RedisQuotaStore } from '../../src/quota/redis-store.js';
import type { QuotaStore, Slot } from '../../src/quota/store.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';
import { REDIS_SERVER, requires } from '../helpers/requires.js';

/*
 * COPY, MOVE and DELETE of tracked objects, the same cases against both stores: the in-memory one
 * and Redis (its Lua scripts), which must agree exactly.
 */

const HAVE_REDIS = requires(REDIS_SERVER, import.meta.url);

let redis: RedisServer | null = null;
const opened: QuotaStore[] = [];

beforeAll(async () => {
  if (HAVE_REDIS) redis = await startRedis();
});
afterAll(async () => {
  for (const s of opened) await s.close();
  await redis?.stop();
});

let n = 0;
/** A fresh slot per test, so the stores need no reset between tests. */
const freshSlot = (): Slot => ({ rule: 'dav', key: `k${++n}`, period: 0 });

async function redisStore(maxObjects: number, evicted: string[] = []): Promise<RedisQuotaStore> {
  const s = new RedisQuotaStore((redis as RedisServer).url, {
    maxObjects,
    commandTimeoutMs: 1000,
    onEvict: (r) => evicted.push(r),
  });
  opened.push(s);
  for (let i = 0; i < 100 && s.redis.status !== 'ready'; i++) await new Promise((r) => setTimeout(r, 20));
  // The bound on tracked objects is shared by every slot: start each test from an empty Redis.
  await s.reset();
  return s;
}

const kinds: [string, boolean, (maxObjects: number, evicted?: string[]) => Promise<QuotaStore>][] = [
  ['memory', true, async (maxObjects, evicted = []) => new MemoryQuotaStore({ maxObjects, onEvict: (r) => evicted.push(r) })],
  ['redis', HAVE_REDIS, redisStore],
];

async function usage(store: QuotaStore, slot: Slot): Promise<{ used: number; pending: number; objects: number }> {
  const e = (await store.entries(() => 0)).find((x) => x.rule === slot.rule && x.key === slot.key);
  return { used: e?.used ?? 0, pending: e?.pending ?? 0, objects: e?.objects ?? 0 };
}

async function contents(store: QuotaStore, slot: Slot): Promise<Record<string, number>> {
  return Object.fromEntries([...(await store.objectsUnder(slot, ['/']))].sort(([a], [b]) => a.localeCompare(b)));
}

for (const [kind, available, open] of kinds) {
  describe.skipIf(!available)(`the ${kind} store: COPY, MOVE and DELETE of tracked objects`, () => {
    it('copies a collection (reservation settled), moves it over a file, deletes it', async () => {
      const store = await open(100);
      const slot = freshSlot();
      await store.putObject(slot, 0, '/d/a', 100);
      await store.putObject(slot, 0, '/d/b/c', 50);
      await store.putObject(slot, 0, '/x', 10);
      expect([...(await store.objectsUnder(slot, ['/d', '/nothing']))].sort()).toEqual([
        ['/d/a', 100],
        ['/d/b/c', 50],
      ]);
      expect((await store.reserve(slot, 150, 1000)).ok).toBe(true);
      await store.transferObjects(slot, 150, { from: '/d', to: '/e', rename: false, depth0: false });
      expect(await usage(store, slot)).toEqual({ used: 310, pending: 0, objects: 5 });
      await store.transferObjects(slot, 0, { from: '/e', to: '/x', rename: true, depth0: false });
      expect(await contents(store, slot)).toEqual({ '/d/a': 100, '/d/b/c': 50, '/x/a': 100, '/x/b/c': 50 });
      expect(await usage(store, slot)).toEqual({ used: 300, pending: 0, objects: 4 });
      await store.deleteObjects(slot, '/x');
      expect(await contents(store, slot)).toEqual({ '/d/a': 100, '/d/b/c': 50 });
      expect(await usage(store, slot)).toMatchObject({ used: 150, objects: 2 });
      await store.deleteObjects(slot, '/d/a');
      await store.deleteObjects(slot, '/nothing');
      expect(await usage(store, slot)).toMatchObject({ used: 50, objects: 1 });
    });

    it('a COPY onto an existing object frees the old size; Depth: 0 of a collection copies nothing', async () => {
      const store = await open(100);
      const slot = freshSlot();
      await store.putObject(slot, 0, '/a', 100);
      await store.putObject(slot, 0, '/b', 30);
      await store.putObject(slot, 0, '/d/m', 5);
      await store.transferObjects(slot, 70, { from: '/a', to: '/b', rename: false, depth0: false });
      await store.transferObjects(slot, 0, { from: '/d', to: '/e', rename: false, depth0: true });
      expect(await contents(store, slot)).toEqual({ '/a': 100, '/b': 100, '/d/m': 5 });
      expect(await usage(store, slot)).toEqual({ used: 205, pending: 0, objects: 3 });
    });

    it('copies count as writes for the bound on tracked objects', async () => {
      const evicted: string[] = [];
      const store = await open(3, evicted);
      const slot = freshSlot();
      await store.putObject(slot, 0, '/d/a', 1);
      await store.putObject(slot, 0, '/d/b', 2);
      await store.transferObjects(slot, 3, { from: '/d', to: '/e', rename: false, depth0: false });
      // Four objects, at most three remembered: the oldest (/d/a) is forgotten, its byte stays counted.
      expect(evicted).toEqual(['dav']);
      expect(await contents(store, slot)).toEqual({ '/d/b': 2, '/e/a': 1, '/e/b': 2 });
      expect(await usage(store, slot)).toMatchObject({ used: 6, objects: 3 });
    });
  });
}

describe.skipIf(!HAVE_REDIS)('the Redis store under concurrent changes', () => {
  it('two replicas copying, moving, writing and deleting at once: usage equals the objects tracked', async () => {
    const a = await redisStore(10_000);
    const b = await redisStore(10_000);
    const slot = freshSlot();
    for (let i = 0; i < 10; i++) await a.putObject(slot, 0, `/src/f${i}`, 100 + i);
    const ops: Promise<void>[] = [];
    for (let i = 0; i < 20; i++) {
      const s = i % 2 === 0 ? a : b;
      ops.push(s.transferObjects(slot, 0, { from: '/src', to: `/copy${i % 4}`, rename: false, depth0: false }));
      ops.push(s.putObject(slot, 0, `/src/g${i}`, 7));
      ops.push(s.transferObjects(slot, 0, { from: `/copy${(i + 1) % 4}`, to: `/moved${i % 3}`, rename: true, depth0: false }));
      if (i % 5 === 4) ops.push(s.deleteObjects(slot, `/moved${i % 3}`));
    }
    const results = await Promise.allSettled(ops);
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    const tracked = Object.values(await contents(a, slot)).reduce((x, y) => x + y, 0);
    const u = await usage(b, slot);
    expect(u.used).toBe(tracked);
    expect(u.objects).toBe(Object.keys(await contents(b, slot)).length);
  });
});
