import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { request } from '../helpers/http.js';
import { startDemoUpstream, startProxy } from '../helpers/faultline.js';
import { cleanupAfterEach } from '../helpers/cleanup.js';

const cleanups = cleanupAfterEach();

async function demo(): Promise<string> {
  const up = await startDemoUpstream();
  cleanups.push(() => up.close());
  return `${up.url}/dav`;
}

const dav = (
  base: string,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
): ReturnType<typeof request> => request(base + path, { method, headers, ...(body === undefined ? {} : { body }) });

/** The hrefs of a multistatus body, in order. */
const hrefs = (xml: string): string[] => [...xml.matchAll(/<D:href>([^<]*)<\/D:href>/g)].map((m) => m[1]!);

describe('the demo upstream WebDAV store', () => {
  it('MKCOL, PUT, GET, PROPFIND depth 0 and 1', async () => {
    const base = await demo();
    expect((await dav(base, 'MKCOL', '/docs')).status).toBe(201);
    expect((await dav(base, 'MKCOL', '/docs')).status).toBe(405);
    expect((await dav(base, 'MKCOL', '/missing/child')).status).toBe(409);
    expect((await dav(base, 'PUT', '/docs/a b.txt', {}, 'hello')).status).toBe(201);
    expect((await dav(base, 'PUT', '/docs/a b.txt', {}, 'hello!')).status).toBe(204);
    expect((await dav(base, 'PUT', '/nowhere/x', {}, 'x')).status).toBe(409);
    const got = await dav(base, 'GET', '/docs/a%20b.txt');
    expect([got.status, got.text, got.headers['content-length']]).toEqual([200, 'hello!', '6']);

    const zero = await dav(base, 'PROPFIND', '/docs', { depth: '0' });
    expect(zero.status).toBe(207);
    expect(zero.headers['content-type']).toBe('application/xml; charset=utf-8');
    expect(hrefs(zero.text)).toEqual(['/dav/docs/']);
    expect(zero.text).toContain('<D:resourcetype><D:collection/></D:resourcetype>');

    const one = await dav(base, 'PROPFIND', '/', { depth: '1' });
    expect(hrefs(one.text)).toEqual(['/dav/', '/dav/docs/']);
    const file = await dav(base, 'PROPFIND', '/docs/', { depth: '1' });
    expect(hrefs(file.text)).toEqual(['/dav/docs/', '/dav/docs/a%20b.txt']);
    expect(file.text).toContain('<D:getcontentlength>6</D:getcontentlength>');
    expect(file.text.startsWith('<?xml version="1.0" encoding="utf-8"?>\n<D:multistatus xmlns:D="DAV:">')).toBe(true);
    expect((await dav(base, 'PROPFIND', '/', { depth: 'infinity' })).status).toBe(403);
    expect((await dav(base, 'PROPFIND', '/nope', { depth: '0' })).status).toBe(404);
  });

  it('COPY and MOVE with Destination and Overwrite; DELETE of a collection', async () => {
    const base = await demo();
    const host = new URL(base).host;
    await dav(base, 'MKCOL', '/d');
    await dav(base, 'PUT', '/d/a', {}, 'aaaa');
    await dav(base, 'PUT', '/b', {}, 'bb');
    expect((await dav(base, 'COPY', '/d/a', { destination: `http://${host}/dav/c` })).status).toBe(201);
    expect((await dav(base, 'COPY', '/d/a', { destination: `http://${host}/dav/b`, overwrite: 'F' })).status).toBe(412);
    expect((await dav(base, 'GET', '/b')).text).toBe('bb');
    expect((await dav(base, 'COPY', '/d/a', { destination: '/dav/b' })).status).toBe(204);
    expect((await dav(base, 'GET', '/b')).text).toBe('aaaa');
    expect((await dav(base, 'MOVE', '/c', { destination: `http://${host}/dav/d/moved` })).status).toBe(201);
    expect((await dav(base, 'GET', '/c')).status).toBe(404);
    expect((await dav(base, 'COPY', '/d', { destination: '/dav/e' })).status).toBe(201);
    expect(hrefs((await dav(base, 'PROPFIND', '/e', { depth: '1' })).text)).toEqual(['/dav/e/', '/dav/e/a', '/dav/e/moved']);
    expect((await dav(base, 'DELETE', '/d')).status).toBe(204);
    expect((await dav(base, 'GET', '/d/a')).status).toBe(404);
    expect((await dav(base, 'MOVE', '/e', { destination: '/dav/e/inside' })).status).toBe(403);
    expect((await dav(base, 'MOVE', '/e/a', { destination: '/dav/e' })).status).toBe(403);
    expect((await dav(base, 'GET', '/e/a')).status).toBe(200);
    expect((await dav(base, 'COPY', '/e', {})).status).toBe(400);
  });
});

function rclone(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      'rclone',
      ['--config', '/dev/null', '--retries', '1', '--low-level-retries', '1', ...args],
      { timeout: 30_000 },
      (err, stdout, stderr) => resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : 1, stdout, stderr }),
    );
  });
}

describe.skipIf(!existsSync('/usr/bin/rclone'))('rclone (webdav vendor other) through faultline to the demo store', () => {
  it('copies, copies server-side, moves, lists and deletes', async () => {
    const base = await demo();
    const proxy = await startProxy(new URL(base).origin, { scenario: 'version: 1\nrules: []\n' });
    cleanups.push(() => proxy.close());
    const flags = [`--webdav-url=${proxy.url}/dav`, '--webdav-vendor=other'];
    const dir = mkdtempSync(join(tmpdir(), 'faultline-rclone-'));
    writeFileSync(join(dir, 'one.bin'), Buffer.alloc(3000, 'r'));
    const at = (p: string): string => `:webdav:${p}`;
    const ok = async (args: string[]): Promise<void> => {
      const r = await rclone([...args, ...flags]);
      expect(r.code, `rclone ${args.join(' ')}\n${r.stderr}`).toBe(0);
    };
    await ok(['copyto', join(dir, 'one.bin'), at('box/one.bin')]);
    await ok(['copyto', at('box/one.bin'), at('box/two.bin')]); // server-side COPY
    await ok(['moveto', at('box/two.bin'), at('box/three.bin')]); // server-side MOVE
    const listed = await rclone(['lsjson', at('box'), ...flags]);
    expect(listed.code).toBe(0);
    const entries = (JSON.parse(listed.stdout) as { Path: string; Size: number }[]).map((e) => [e.Path, e.Size]);
    expect(entries.sort()).toEqual([
      ['one.bin', 3000],
      ['three.bin', 3000],
    ]);
    await ok(['copyto', at('box/three.bin'), join(dir, 'back.bin')]);
    expect(readFileSync(join(dir, 'back.bin')).equals(Buffer.alloc(3000, 'r'))).toBe(true);
    await ok(['purge', at('box')]);
    expect((await request(`${base}/box`, { method: 'PROPFIND', headers: { depth: '0' } })).status).toBe(404);
  });
});

describe('examples/dialects/webdav-quota.yaml against the demo store', () => {
  it('a per-user quota answered as SabreDAV; DELETE frees; each user has their own', async () => {
    const base = await demo();
    const scenario = readFileSync(new URL('../../examples/dialects/webdav-quota.yaml', import.meta.url), 'utf8');
    const proxy = await startProxy(new URL(base).origin, { scenario });
    cleanups.push(() => proxy.close());
    const as = (user: string): Record<string, string> => ({
      authorization: `Basic ${Buffer.from(`${user}:pw`).toString('base64')}`,
    });
    const body = 'x'.repeat(700_000);
    expect((await dav(`${proxy.url}/dav`, 'PUT', '/a.bin', as('alice'), body)).status).toBe(201);
    const full = await dav(`${proxy.url}/dav`, 'PUT', '/b.bin', as('alice'), body);
    expect(full.status).toBe(507);
    expect(full.text).toContain('<s:message>Insufficient space in /dav/b.bin, 700000 required, 348576 available</s:message>');
    expect((await dav(`${proxy.url}/dav`, 'DELETE', '/a.bin', as('alice'))).status).toBe(204);
    expect((await dav(`${proxy.url}/dav`, 'PUT', '/b.bin', as('alice'), body)).status).toBe(201);
    expect((await dav(`${proxy.url}/dav`, 'PUT', '/c.bin', as('bob'), body)).status).toBe(201);
    // The refused upload left nothing on the store.
    expect(hrefs((await dav(base, 'PROPFIND', '/', { depth: '1' })).text)).toEqual(['/dav/', '/dav/b.bin', '/dav/c.bin']);
  });
});
