import { execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeServer, listenOn } from './http.js';
import { NGINX_DAV_EXT_MODULE } from './requires.js';

export interface NginxDav {
  url: string;
  /** nginx's document root: what the WebDAV server stores. */
  root: string;
  stop(): Promise<void>;
}

/** nginx (Debian) serving WebDAV (dav_methods, dav-ext for PROPFIND) from a fresh root on a free loopback port. */
export async function startNginxDav(): Promise<NginxDav> {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-nginx-dav-'));
  const root = join(dir, 'root');
  mkdirSync(root);
  mkdirSync(join(dir, 'tmp'));
  const probe = net.createServer();
  const port = await listenOn(probe);
  await closeServer(probe);
  const user = process.getuid?.() === 0 ? 'user root;\n' : '';
  writeFileSync(
    join(dir, 'nginx.conf'),
    `${user}load_module ${NGINX_DAV_EXT_MODULE};
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
`,
  );
  const nginx = spawn('/usr/sbin/nginx', ['-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: 'ignore' });
  const exited = new Promise((r) => nginx.once('exit', r));
  for (let i = 0; i < 100; i++) {
    const up = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (up) break;
    if (i === 99) throw new Error(`nginx did not listen on ${port} (see ${dir}/error.log)`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url: `http://127.0.0.1:${port}`,
    root,
    async stop() {
      nginx.kill('SIGTERM');
      await exited;
    },
  };
}

/** Run rclone (Debian) against the WebDAV server at `url` as remote `dav:`, one try, no config file. */
export function rclone(url: string, ...args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(
      'rclone',
      ['--config', '/dev/null', '--low-level-retries', '1', '--retries', '1', ...args],
      {
        timeout: 20_000,
        env: {
          ...process.env,
          RCLONE_CONFIG_DAV_TYPE: 'webdav',
          RCLONE_CONFIG_DAV_URL: url + '/',
          RCLONE_CONFIG_DAV_VENDOR: 'other',
        },
      },
      (err, stdout, stderr) =>
        resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : 1, out: stdout + stderr }),
    );
  });
}
