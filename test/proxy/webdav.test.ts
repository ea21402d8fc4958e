import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProxy, type Running } from '../helpers/faultline.js';
import { rclone as rcloneAt, startNginxDav, type NginxDav } from '../helpers/nginx-dav.js';
import { NGINX_DAV, NGINX_DAV_EXT_MODULE, RCLONE, requires } from '../helpers/requires.js';

/*
 * A real WebDAV client against a real WebDAV server through faultline: rclone (Debian) against
 * nginx with dav_methods and the dav-ext module (PROPFIND). nginx answers 415 to an MKCOL that
 * carries a body (even an empty chunked one), so this fails whenever framing is not forwarded as
 * received.
 */

const HAVE = requires(RCLONE, import.meta.url) && requires(NGINX_DAV, import.meta.url) && existsSync(NGINX_DAV_EXT_MODULE);

let dir = '';
let root = '';
let nginx: NginxDav | null = null;
let proxy: Running | null = null;

beforeAll(async () => {
  if (!HAVE) return;
  dir = mkdtempSync(join(tmpdir(), 'faultline-dav-'));
  nginx = await startNginxDav();
  root = nginx.root;
  proxy = await startProxy(nginx.url);
});

afterAll(async () => {
  await proxy?.close();
  await nginx?.stop();
});

function rclone(...args: string[]): Promise<{ code: number; out: string }> {
  return rcloneAt(proxy!.url, ...args);
}

describe.skipIf(!HAVE)('rclone → faultline → nginx WebDAV', () => {
  it('mkdir, copy, server-side move and copy, delete', async () => {
    const local = join(dir, 'local.txt');
    writeFileSync(local, 'hello webdav\n'.repeat(1000));
    expect(await rclone('mkdir', 'dav:folder/sub')).toMatchObject({ code: 0 });
    expect(existsSync(join(root, 'folder', 'sub'))).toBe(true);
    expect(await rclone('copyto', local, 'dav:folder/a.txt')).toMatchObject({ code: 0 });
    expect(readFileSync(join(root, 'folder', 'a.txt'), 'utf8')).toBe(readFileSync(local, 'utf8'));
    expect(await rclone('moveto', 'dav:folder/a.txt', 'dav:folder/sub/b.txt')).toMatchObject({ code: 0 });
    expect(existsSync(join(root, 'folder', 'a.txt'))).toBe(false);
    expect(existsSync(join(root, 'folder', 'sub', 'b.txt'))).toBe(true);
    expect(await rclone('copyto', 'dav:folder/sub/b.txt', 'dav:folder/c.txt')).toMatchObject({ code: 0 });
    expect(readFileSync(join(root, 'folder', 'c.txt'), 'utf8')).toBe(readFileSync(local, 'utf8'));
    const listing = await rclone('lsf', '-R', 'dav:folder');
    expect(
      listing.out
        .split('\n')
        .filter((l) => l !== '')
        .sort(),
    ).toEqual(['c.txt', 'sub/', 'sub/b.txt']);
    expect(await rclone('deletefile', 'dav:folder/c.txt')).toMatchObject({ code: 0 });
    expect(await rclone('purge', 'dav:folder/sub')).toMatchObject({ code: 0 });
    expect(readdirSync(join(root, 'folder'))).toEqual([]);
  });
});
