import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from '../helpers/http.js';
import { startProxy, type Running } from '../helpers/faultline.js';
import { rclone as rcloneAt, startNginxDav, type NginxDav } from '../helpers/nginx-dav.js';
import { NGINX_DAV, NGINX_DAV_EXT_MODULE, RCLONE, requires } from '../helpers/requires.js';

/*
 * rclone (Debian) → faultline → nginx WebDAV, under a `track: objects` byte quota: after every
 * upload, server-side copy, move, overwrite and delete, the quota's `used` equals the bytes on disk
 * under nginx's root.
 */

const HAVE = requires(RCLONE, import.meta.url) && requires(NGINX_DAV, import.meta.url) && existsSync(NGINX_DAV_EXT_MODULE);

const SCENARIO = `
version: 1
rules:
  - name: dav-bytes
    match: { method: [PUT, DELETE, COPY, MOVE] }
    when:
      quota: { key: global, measure: bytes, limit: 20000, track: objects }
    fault: { status: 507 }
`;

let nginx: NginxDav | null = null;
let proxy: Running | null = null;

beforeAll(async () => {
  if (!HAVE) return;
  nginx = await startNginxDav();
  proxy = await startProxy(nginx.url, { scenario: SCENARIO });
});
afterAll(async () => {
  await proxy?.close();
  await nginx?.stop();
});

function rclone(...args: string[]): Promise<{ code: number; out: string }> {
  return rcloneAt((proxy as Running).url, ...args);
}

async function ok(...args: string[]): Promise<void> {
  const r = await rclone(...args);
  expect(r.code, `rclone ${args.join(' ')}\n${r.out}`).toBe(0);
}

/** Bytes in the files under a directory (bounded depth). */
function onDisk(dir: string, depth = 0): number {
  let n = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) n += depth < 10 ? onDisk(p, depth + 1) : 0;
    else n += st.size;
  }
  return n;
}

async function used(): Promise<number> {
  const r = await request(`${(proxy as Running).admin}/quotas`);
  const q = (JSON.parse(r.text) as { quotas: { rule: string; used: number; pending: number }[] }).quotas;
  const e = q.find((x) => x.rule === 'dav-bytes');
  expect(e?.pending ?? 0).toBe(0);
  return e?.used ?? 0;
}

async function exact(bytes: number): Promise<void> {
  expect(onDisk((nginx as NginxDav).root), 'bytes on disk').toBe(bytes);
  expect(await used(), 'quota used').toBe(bytes);
}

describe.skipIf(!HAVE)('rclone → faultline (track: objects) → nginx WebDAV: the quota equals the bytes on disk', () => {
  it('upload, server-side copy, move, overwrite (and Overwrite: F), directory copy and move, a refused copy, delete', async () => {
    const root = (nginx as NginxDav).root;
    const local = join(root, '..', 'local');
    writeFileSync(`${local}-3000`, Buffer.alloc(3000, 'a'));
    writeFileSync(`${local}-5000`, Buffer.alloc(5000, 'b'));
    await ok('copyto', `${local}-3000`, 'dav:box/one.bin');
    await exact(3000);
    await ok('copyto', 'dav:box/one.bin', 'dav:box/two.bin'); // server-side COPY
    await exact(6000);
    await ok('moveto', 'dav:box/two.bin', 'dav:box/sub dir/three.bin'); // server-side MOVE
    await exact(6000);
    await ok('copyto', `${local}-5000`, 'dav:box/one.bin'); // overwrite by upload
    await exact(8000);
    // rclone's server-side copy onto an existing file sends Overwrite: F; nginx answers 412, nothing changes.
    const kept = await rclone('copyto', 'dav:box/one.bin', 'dav:box/sub dir/three.bin');
    expect(kept.out).toContain('412 Precondition Failed');
    await exact(8000);
    await ok('copy', 'dav:box', 'dav:copy'); // a directory, file by file, server-side
    await exact(16000);
    // Full: a server-side copy would exceed the quota; nothing is stored.
    const refused = await rclone('copyto', 'dav:box/one.bin', 'dav:box/four.bin');
    expect(refused.code).not.toBe(0);
    expect(refused.out).toContain('507');
    expect(existsSync(join(root, 'box', 'four.bin'))).toBe(false);
    await exact(16000);
    await ok('moveto', 'dav:copy', 'dav:moved'); // a directory move
    expect(existsSync(join(root, 'copy'))).toBe(false);
    await exact(16000);
    await ok('purge', 'dav:moved'); // DELETE of a collection
    await exact(8000);
    await ok('deletefile', 'dav:box/sub dir/three.bin');
    await exact(5000);
    await ok('copyto', 'dav:box/one.bin', 'dav:box/four.bin'); // room again
    await exact(10000);
  });
});
