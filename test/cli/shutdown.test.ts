import http from 'node:http';
import { describe, expect, it } from 'vitest';
import { serveCli } from '../helpers/cli.js';
import { closeServer, listenOn, request } from '../helpers/http.js';
import { cleanupAfterEach } from '../helpers/cleanup.js';

const cleanups = cleanupAfterEach();

describe('graceful shutdown of the spawned CLI', () => {
  it('SIGTERM the moment the start line is out still exits 0 (the handlers are in before it is logged)', async () => {
    for (let i = 0; i < 4; i++) {
      const proxy = await serveCli([
        'serve',
        '--upstream',
        'http://127.0.0.1:9',
        '--listen',
        '127.0.0.1:0',
        '--admin',
        '127.0.0.1:0',
      ]);
      cleanups.push(() => proxy.stop());
      proxy.child.kill('SIGTERM');
      expect(await proxy.exited).toBe(0);
    }
  });

  it('SIGTERM lets an in-flight slow request finish, then exits 0', async () => {
    const slow = http.createServer((req, res) => {
      req.resume();
      setTimeout(() => res.end('finished'), 700);
    });
    const port = await listenOn(slow);
    cleanups.push(() => closeServer(slow));
    const proxy = await serveCli([
      'serve',
      '--upstream',
      `http://127.0.0.1:${port}`,
      '--listen',
      '127.0.0.1:0',
      '--admin',
      '127.0.0.1:0',
    ]);
    cleanups.push(() => proxy.stop());
    const inflight = request(`http://127.0.0.1:${proxy.proxyPort}/slow`);
    await new Promise((r) => setTimeout(r, 200));
    proxy.child.kill('SIGTERM');
    const reply = await inflight;
    expect(reply.status).toBe(200);
    expect(reply.text).toBe('finished');
    expect(await proxy.exited).toBe(0);
    expect(proxy.lines.some((l) => l.msg === 'shutting down: draining in-flight requests')).toBe(true);
  });

  it('cuts requests still running after the grace period and still exits 0', async () => {
    const stuck = http.createServer(() => {
      /* never answers */
    });
    const port = await listenOn(stuck);
    cleanups.push(() => closeServer(stuck));
    const proxy = await serveCli([
      'serve',
      '--upstream',
      `http://127.0.0.1:${port}`,
      '--listen',
      '127.0.0.1:0',
      '--admin',
      '127.0.0.1:0',
      '--shutdown-grace',
      '300ms',
    ]);
    cleanups.push(() => proxy.stop());
    const inflight = request(`http://127.0.0.1:${proxy.proxyPort}/stuck`).catch((e: unknown) => e as Error);
    await new Promise((r) => setTimeout(r, 150));
    const started = Date.now();
    proxy.child.kill('SIGTERM');
    expect(await proxy.exited).toBe(0);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await inflight).toBeInstanceOf(Error);
  });
});
