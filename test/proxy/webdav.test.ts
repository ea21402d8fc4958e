import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProxy, type Running } from '../helpers/faultline.js';

/*
 * A real WebDAV client against a real WebDAV server through faultline: rclone (Debian) against
 * nginx with dav_methods and the dav-ext module (PROPFIND). nginx answers 415 to an MKCOL that
 * carries a body (even an empty chunked one), so this fails whenever framing is not forwarded as
 * received.
 */

const DAV_EXT = '/usr/lib/nginx/modules/ngx_http_dav_ext_module.so';
const missing = !existsSync('/usr/sbin/nginx')
  ? 'nginx is not installed (Debian: apt-get install nginx libnginx-mod-http-dav-ext)'
  : !existsSync(DAV_EXT)
    ? 'the nginx dav-ext module is not installed (Debian: apt-get install libnginx-mod-http-dav-ext)'
    : !existsSync('/usr/bin/rclone')
      ? 'rclone is not installed (Debian: apt-get install rclone)'
      : null;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.on('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nothing listens on ${port}`);
}

let dir = '';
let root = '';
let nginx: ChildProcess | null = null;
let proxy: Running | null = null;

beforeAll(async () => {
  if (missing !== null) return;
  dir = mkdtempSync(join(tmpdir(), 'faultline-dav-'));
  root = join(dir, 'root');
  mkdirSync(root);
  mkdirSync(join(dir, 'tmp'));
  const port = await freePort();
  const user = process.getuid?.() === 0 ? 'user root;\n' : '';
  const conf = `${user}load_module ${DAV_EXT};
daemon off;
master_process off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path ${dir}/tmp;
  proxy_temp_path ${dir}/tmp;
  fastcgi_temp_path ${dir}/tmp;
  uwsgi_temp_path ${dir}/tmp;
  scgi_temp_path ${dir}/tmp;
  server {
    listen 127.0.0.1:${port};
    root ${root};
    dav_methods PUT DELETE MKCOL COPY MOVE;
    dav_ext_methods PROPFIND OPTIONS;
    create_full_put_path on;
    client_max_body_size 0;
  }
}
`;
  writeFileSync(join(dir, 'nginx.conf'), conf);
  nginx = spawn('/usr/sbin/nginx', ['-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: 'ignore' });
  await waitForPort(port);
  proxy = await startProxy(`http://127.0.0.1:${port}`);
});

afterAll(async () => {
  await proxy?.close();
  nginx?.kill('SIGTERM');
});

function rclone(...args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(
      '/usr/bin/rclone',
      ['--config', '/dev/null', '--low-level-retries', '1', '--retries', '1', ...args],
      {
        timeout: 20_000,
        env: {
          ...process.env,
          RCLONE_CONFIG_DAV_TYPE: 'webdav',
          RCLONE_CONFIG_DAV_URL: proxy!.url + '/',
          RCLONE_CONFIG_DAV_VENDOR: 'other',
        },
      },
      (err, stdout, stderr) =>
        resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : 1, out: stdout + stderr }),
    );
  });
}

describe.skipIf(missing !== null)(`rclone → faultline → nginx WebDAV${missing === null ? '' : ` (skipped: ${missing})`}`, () => {
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
