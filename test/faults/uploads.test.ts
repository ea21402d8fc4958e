import http from 'node:http';
import net from 'node:net';
import { execFile } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from '../helpers/http.js';
import { startProxy, type Running } from '../helpers/faultline.js';
import { countingUpstream } from '../helpers/upstream.js';
import { CURL, requires } from '../helpers/requires.js';

/*
 * Uploads that meet an early error: the fault answers before forwarding; the client must never
 * hang, the upstream must never see the request, and the connection is reused when that is safe.
 */
const SCENARIO = `
version: 1
rules:
  - name: full-disk
    match: { method: [PUT, POST], path: /upload/full/** }
    fault: { status: 507, retryAfter: 120 }
`;

let up: Awaited<ReturnType<typeof countingUpstream>>;
let proxy: Running;
beforeAll(async () => {
  up = await countingUpstream();
  proxy = await startProxy(up.url, { scenario: SCENARIO });
});
afterAll(async () => {
  await proxy.close();
  await up.close();
});

function seenUnder(prefix: string): number {
  return up.seen.filter((s) => s.url.startsWith(prefix)).length;
}

/** Read from a socket until `predicate(text)` holds or the socket closes. */
function readUntil(socket: net.Socket, predicate: (t: string) => boolean, ms = 5000): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    const timer = setTimeout(() => done(), ms);
    const done = (): void => {
      clearTimeout(timer);
      socket.off('data', onData);
      resolve(text);
    };
    const onData = (c: Buffer): void => {
      text += c.toString('latin1');
      if (predicate(text)) done();
    };
    socket.on('data', onData);
    socket.once('close', done);
  });
}

describe('an early fault meets a request body', () => {
  it('Expect: 100-continue gets the 507 instead of 100 Continue, and no body is needed', async () => {
    const socket = net.connect(proxy.port, '127.0.0.1');
    socket.on('error', () => {});
    socket.write('PUT /upload/full/a HTTP/1.1\r\nHost: x\r\nContent-Length: 1048576\r\nExpect: 100-continue\r\n\r\n');
    const text = await readUntil(socket, (t) => t.includes('\r\n\r\n') && t.includes('}'));
    socket.destroy();
    expect(text.startsWith('HTTP/1.1 507 Insufficient Storage\r\n')).toBe(true);
    expect(text).not.toContain('100 Continue');
    expect(text.toLowerCase()).toContain('retry-after: 120');
    expect(seenUnder('/upload/full/a')).toBe(0);
  });

  it.skipIf(!requires(CURL, import.meta.url))(
    'curl with a body over 1 KiB (it sends Expect by itself) sees the 507',
    async () => {
      const result = await new Promise<{ code: number | null; out: string }>((resolve) => {
        const child = execFile(
          'curl',
          ['-s', '-o', '/dev/null', '-w', '%{http_code}', '-X', 'PUT', '--data-binary', '@-', `${proxy.url}/upload/full/curl`],
          { timeout: 10_000 },
          (err, stdout) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, out: stdout }),
        );
        child.stdin?.end(Buffer.alloc(64 * 1024, 0x62));
      });
      expect(result.out).toBe('507');
      expect(result.code).toBe(0);
      expect(seenUnder('/upload/full/curl')).toBe(0);
    },
  );

  it('a small body is drained and the keep-alive connection is reused', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const sockets = new Set<net.Socket>();
    const put = (): Promise<number> =>
      new Promise((resolve, reject) => {
        const req = http.request(`${proxy.url}/upload/full/small`, { method: 'PUT', agent }, (res) => {
          sockets.add(res.socket);
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', reject);
        req.end(Buffer.alloc(32 * 1024, 1));
      });
    expect(await put()).toBe(507);
    expect(await put()).toBe(507);
    expect(sockets.size).toBe(1);
    agent.destroy();
    expect(seenUnder('/upload/full/small')).toBe(0);
  });

  it('a 1 GiB upload gets the 507 with Connection: close, and the client does not hang', async () => {
    const GiB = 1024 * 1024 * 1024;
    const chunk = Buffer.alloc(1024 * 1024, 0x63);
    const started = Date.now();
    const outcome = await new Promise<{ status: number; connection: string | undefined; sent: number }>((resolve, reject) => {
      let sent = 0;
      let stop = false;
      const req = http.request(
        `${proxy.url}/upload/full/huge`,
        { method: 'PUT', agent: false, headers: { 'content-length': String(GiB) } },
        (res) => {
          stop = true;
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, sent }));
        },
      );
      req.on('error', (e) => (stop ? undefined : reject(e)));
      const pump = (): void => {
        while (!stop && sent < GiB) {
          sent += chunk.length;
          if (!req.write(chunk)) {
            req.once('drain', pump);
            return;
          }
        }
      };
      pump();
    });
    expect(outcome.status).toBe(507);
    expect(outcome.connection).toBe('close');
    expect(outcome.sent).toBeLessThan(1024 * 1024 * 1024);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(seenUnder('/upload/full/huge')).toBe(0);
  });

  it('a chunked upload is answered too, and the upstream never sees it', async () => {
    const r = await request(`${proxy.url}/upload/full/chunked`, {
      method: 'POST',
      headers: { 'transfer-encoding': 'chunked' },
      body: Buffer.alloc(5000, 2),
    });
    expect(r.status).toBe(507);
    expect(seenUnder('/upload/full/chunked')).toBe(0);
  });
});
