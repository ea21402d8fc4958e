import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from '../helpers/http.js';
import { startDemoUpstream, startProxy, type Running } from '../helpers/faultline.js';
import { cleanupAfterEach } from '../helpers/cleanup.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';
import { REDIS_SERVER, requires } from '../helpers/requires.js';

/*
 * WebDAV COPY, MOVE and DELETE of a collection under a `track: objects` quota, over real sockets:
 * a client → faultline → the demo upstream's WebDAV store (/dav). After every step the quota's
 * `used` (GET /quotas on the admin API) equals the bytes the store holds, summed from PROPFIND.
 */

const cleanups = cleanupAfterEach();
const HAVE_REDIS = requires(REDIS_SERVER, import.meta.url);
let redis: RedisServer | null = null;
beforeAll(async () => {
  if (HAVE_REDIS) redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

const SCENARIO = `
version: 1
rules:
  - name: dav-quota
    match: { method: [PUT, DELETE, COPY, MOVE], path: /dav/** }
    when:
      quota: { key: global, measure: bytes, limit: 10000, track: objects }
    fault: { status: 507 }
`;

async function setup(flags: Record<string, string>): Promise<{ proxy: Running; store: string }> {
  const up = await startDemoUpstream();
  cleanups.push(() => up.close());
  const proxy = await startProxy(up.url, { scenario: SCENARIO, flags });
  cleanups.push(() => proxy.close());
  return { proxy, store: `${up.url}/dav` };
}

const dav = (base: string, method: string, path: string, headers: Record<string, string> = {}, body?: string | Buffer) =>
  request(base + path, { method, headers, ...(body === undefined ? {} : { body }) });

/** Every file the demo store holds (walked with PROPFIND Depth: 1), path → size. */
async function stored(store: string): Promise<Map<string, number>> {
  const files = new Map<string, number>();
  const todo = ['/'];
  for (let i = 0; i < 100 && todo.length > 0; i++) {
    const dir = todo.shift() as string;
    const r = await dav(store, 'PROPFIND', dir, { depth: '1' });
    expect(r.status).toBe(207);
    for (const block of r.text.split('<D:response>').slice(1)) {
      const href = decodeURIComponent(/<D:href>([^<]*)<\/D:href>/.exec(block)?.[1] ?? '').slice('/dav'.length);
      const size = /<D:getcontentlength>(\d+)<\/D:getcontentlength>/.exec(block);
      if (size !== null) files.set(href, Number(size[1]));
      else if (href !== dir && href !== `${dir}/`) todo.push(href);
    }
  }
  return files;
}

async function quota(proxy: Running): Promise<{ used: number; pending: number; objects: number }> {
  const r = await request(`${proxy.admin}/quotas`);
  const q = (JSON.parse(r.text) as { quotas: { rule: string; used: number; pending: number; objects: number }[] }).quotas;
  const e = q.find((x) => x.rule === 'dav-quota');
  return { used: e?.used ?? 0, pending: e?.pending ?? 0, objects: e?.objects ?? 0 };
}

/** The quota holds exactly what the store holds: `used` bytes in as many objects as there are files. */
async function exact(proxy: Running, store: string, used: number): Promise<void> {
  const files = await stored(store);
  const bytes = [...files.values()].reduce((a, b) => a + b, 0);
  expect(bytes, 'bytes in the store').toBe(used);
  expect(await quota(proxy)).toEqual({ used, pending: 0, objects: files.size });
}

const stores: [string, boolean, () => Record<string, string>][] = [
  ['memory', true, () => ({})],
  ['redis', HAVE_REDIS, () => ({ store: (redis as RedisServer).url })],
];

for (const [kind, available, flags] of stores) {
  describe.skipIf(!available)(`WebDAV through faultline with track: objects (${kind} store)`, () => {
    it('PUT, COPY (file and collection), Overwrite: F, a refused COPY, MOVE, DELETE of a collection', async () => {
      const { proxy, store } = await setup(flags());
      const base = `${proxy.url}/dav`;
      const host = new URL(proxy.url).host;
      expect((await dav(base, 'MKCOL', '/d')).status).toBe(201);
      expect((await dav(base, 'MKCOL', '/d/sub%20dir')).status).toBe(201);
      expect((await dav(base, 'PUT', '/d/a', {}, Buffer.alloc(3000, 'a'))).status).toBe(201);
      expect((await dav(base, 'PUT', '/d/sub%20dir/b', {}, Buffer.alloc(1000, 'b'))).status).toBe(201);
      await exact(proxy, store, 4000);

      // COPY of a file, Destination an absolute URI naming faultline: the copy's 3000 bytes count.
      expect((await dav(base, 'COPY', '/d/a', { destination: `http://${host}/dav/c` })).status).toBe(201);
      await exact(proxy, store, 7000);
      // Overwrite: F onto an existing destination: the server answers 412, nothing changes.
      expect((await dav(base, 'COPY', '/d/sub%20dir/b', { destination: '/dav/c', overwrite: 'F' })).status).toBe(412);
      await exact(proxy, store, 7000);
      // Overwrite (the default T): c's 3000 bytes are replaced by b's 1000.
      expect((await dav(base, 'COPY', '/d/sub%20dir/b', { destination: '/dav/c' })).status).toBe(204);
      await exact(proxy, store, 5000);

      // A COPY of the collection (Depth: infinity, 4000 bytes) over the 10000-byte limit: 507, nothing stored.
      expect((await dav(base, 'PUT', '/big', {}, Buffer.alloc(2000, 'g'))).status).toBe(201);
      const refused = await dav(base, 'COPY', '/d/', { destination: `http://${host}/dav/e/` });
      expect(refused.status).toBe(507);
      expect(JSON.parse(refused.text)).toMatchObject({ quota: { used: 7000, pending: 0, requested: 4000, limit: 10000 } });
      expect((await dav(store, 'PROPFIND', '/e', { depth: '0' })).status).toBe(404);
      await exact(proxy, store, 7000);
      expect((await dav(base, 'DELETE', '/big')).status).toBe(204);
      expect((await dav(base, 'COPY', '/d/', { destination: `http://${host}/dav/e/` })).status).toBe(201);
      await exact(proxy, store, 9000);

      // MOVE renames: no change; the percent-encoded Destination and a later PUT name the same object.
      expect((await dav(base, 'MOVE', '/e/sub%20dir', { destination: `http://${host}/dav/moved%20dir` })).status).toBe(201);
      await exact(proxy, store, 9000);
      expect((await dav(base, 'PUT', '/moved dir/b', {}, Buffer.alloc(400, 'p'))).status).toBe(204);
      await exact(proxy, store, 8400);
      // MOVE onto an existing file frees the file it replaces.
      expect((await dav(base, 'MOVE', '/moved%20dir/b', { destination: '/dav/e/a' })).status).toBe(204);
      await exact(proxy, store, 5400);
      expect((await dav(base, 'MOVE', '/c', { destination: '/dav/e/a', overwrite: 'F' })).status).toBe(412);
      await exact(proxy, store, 5400);

      // DELETE of a collection frees every object under it.
      expect((await dav(base, 'DELETE', '/d/')).status).toBe(204);
      await exact(proxy, store, 1400);
      expect((await dav(base, 'DELETE', '/e')).status).toBe(204);
      await exact(proxy, store, 1000);
      expect([...(await stored(store)).keys()]).toEqual(['/c']);
    });
  });
}
