import { execFile } from 'node:child_process';
import http from 'node:http';
import http2 from 'node:http2';
import { describe, expect, it } from 'vitest';
import { cleanupAfterEach } from '../helpers/cleanup.js';
import { startProxy, type Running } from '../helpers/faultline.js';
import { closeServer, listenOn } from '../helpers/http.js';
import { CURL, requires } from '../helpers/requires.js';
import { h2Connect, h2Send, type StreamResult } from '../helpers/h2.js';

/*
 * HTTP/2 on the proxy listener, over real sockets: h2c with prior knowledge on the plain
 * listener, h2 by ALPN over TLS, HTTP/1.1 still on both. Node's http2 client reads the frames
 * (RST_STREAM codes, END_STREAM); curl checks what a common client reports.
 */

const cleanups = cleanupAfterEach();

const BODY = Buffer.from(Array.from({ length: 64 * 1024 }, (_, i) => (i * 31 + 7) & 0xff));

const RULES = `
version: 1
rules:
  - name: full
    match: { path: /full/** }
    fault: { status: 507 }
  - name: cut
    match: { path: /truncate/** }
    fault: { truncate: 1000 }
  - name: rst
    match: { path: /reset/** }
    fault: { reset: true }
  - name: rst-after
    match: { path: /reset-after/** }
    fault: { reset: { afterBytes: 1000 } }
  - name: stuck
    match: { path: /hang/** }
    fault: { hang: true }
  - name: replaced
    match: { path: /replaced/** }
    fault: { replaceStatus: 503 }
`;

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** An HTTP/1.1 upstream answering every request with BODY (Content-Length) and recording what it got. */
async function upstream(): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(200, {
        'content-type': 'application/octet-stream',
        'content-length': BODY.length,
        'keep-alive': 'timeout=5',
      });
      res.end(BODY);
    });
  });
  const port = await listenOn(server);
  cleanups.push(() => closeServer(server));
  return { url: `http://127.0.0.1:${port}`, seen };
}

async function proxyFor(up: string, tls: boolean): Promise<Running> {
  const proxy = await startProxy(up, { scenario: RULES, ...(tls ? { flags: { tlsSelfSigned: true } } : {}) });
  cleanups.push(() => proxy.close());
  return proxy;
}

function connect(proxy: Running, tls: boolean): http2.ClientHttp2Session {
  const session = h2Connect(proxy.port, tls);
  cleanups.push(async () => session.destroy());
  return session;
}

function send(session: http2.ClientHttp2Session, path: string, method = 'GET', body?: Buffer): Promise<StreamResult> {
  if (body === undefined) return h2Send(session, path, { method });
  // Two DATA frames and no Content-Length: an HTTP/2 body needs none.
  return h2Send(session, path, {
    method,
    write: (stream) => {
      stream.write(body.subarray(0, 10));
      stream.end(body.subarray(10));
    },
  });
}

function curl(args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile('curl', ['-s', '-o', '/dev/null', ...args], { encoding: 'utf8' }, (err, stdout) => {
      resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, out: stdout });
    });
  });
}

const { NGHTTP2_INTERNAL_ERROR } = http2.constants;

for (const tls of [false, true]) {
  const name = tls ? 'h2 over TLS (ALPN)' : 'h2c with prior knowledge';
  describe(name, () => {
    it('passes a request through byte-exact, on a clean stream, without connection-specific headers', async () => {
      const up = await upstream();
      const proxy = await proxyFor(up.url, tls);
      const session = connect(proxy, tls);
      const got = await send(session, '/files/a?x=1');
      expect(got.status).toBe(200);
      expect(got.rstCode).toBe(0);
      expect(got.ended).toBe(true);
      expect(got.body.equals(BODY)).toBe(true);
      expect(got.headers['content-length']).toBe(String(BODY.length));
      expect(got.headers['keep-alive']).toBeUndefined();
      expect(got.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      expect(up.seen[0]?.url).toBe('/files/a?x=1');
      // No pseudo-header reaches the HTTP/1.1 upstream; the authority arrives as the forwarded host.
      expect(Object.keys(up.seen[0]?.headers ?? {}).some((h) => h.startsWith(':'))).toBe(false);
      expect(up.seen[0]?.headers['x-forwarded-host']).toBe(`127.0.0.1:${proxy.port}`);
      expect(up.seen[0]?.headers['x-forwarded-proto']).toBe(tls ? 'https' : 'http');

      // A body without Content-Length goes up chunked, whole.
      const upload = Buffer.from('hello over http/2, in two frames');
      const posted = await send(session, '/files/b', 'POST', upload);
      expect(posted.status).toBe(200);
      expect(up.seen[1]?.body.equals(upload)).toBe(true);
      expect(up.seen[1]?.headers['transfer-encoding']).toBe('chunked');
    });

    it('answers a 507 as problem+json on the stream', async () => {
      const up = await upstream();
      const proxy = await proxyFor(up.url, tls);
      const got = await send(connect(proxy, tls), '/full/x');
      expect(got.status).toBe(507);
      expect(got.rstCode).toBe(0);
      expect(got.headers['content-type']).toBe('application/problem+json');
      expect(got.headers['connection']).toBeUndefined();
      expect(JSON.parse(got.body.toString('utf8'))).toMatchObject({ status: 507, code: 'FAULTLINE_FAULT_INJECTED' });
      expect(up.seen).toHaveLength(0);
    });

    it('resets only the stream (RST_STREAM INTERNAL_ERROR); the connection serves the next request', async () => {
      const up = await upstream();
      const proxy = await proxyFor(up.url, tls);
      const session = connect(proxy, tls);
      const reset = await send(session, '/reset/x');
      expect(reset.status).toBeNull();
      expect(reset.rstCode).toBe(NGHTTP2_INTERNAL_ERROR);
      const after = await send(session, '/files/a');
      expect(after.status).toBe(200);
      expect(after.body.equals(BODY)).toBe(true);
    });

    it('truncate and reset after N bytes: the head and N bytes, then RST_STREAM, never END_STREAM', async () => {
      const up = await upstream();
      const proxy = await proxyFor(up.url, tls);
      const session = connect(proxy, tls);
      for (const path of ['/truncate/x', '/reset-after/x']) {
        const got = await send(session, path);
        expect(got.status).toBe(200);
        expect(got.headers['content-length']).toBe(String(BODY.length));
        expect(got.ended).toBe(false);
        expect(got.rstCode).toBe(NGHTTP2_INTERNAL_ERROR);
        expect(got.body.equals(BODY.subarray(0, 1000))).toBe(true);
      }
    });

    it('a hang holds one stream while the others on the connection go on; replaceStatus answers after the upstream', async () => {
      const up = await upstream();
      const proxy = await proxyFor(up.url, tls);
      const session = connect(proxy, tls);
      let hung = false;
      const hanging = send(session, '/hang/x').then((r) => {
        hung = true;
        return r;
      });
      const replaced = await send(session, '/replaced/x');
      expect(replaced.status).toBe(503);
      expect(up.seen.map((s) => s.url)).toEqual(['/replaced/x']);
      const passed = await send(session, '/files/a');
      expect(passed.body.equals(BODY)).toBe(true);
      expect(hung).toBe(false);
      session.destroy();
      await hanging;
    });

    it('shutting down sends GOAWAY to an open HTTP/2 connection and completes', async () => {
      const up = await upstream();
      const proxy = await proxyFor(up.url, tls);
      const session = connect(proxy, tls);
      expect((await send(session, '/files/a')).status).toBe(200);
      const goaway = new Promise<number>((resolve) => session.once('goaway', (code: number) => resolve(code)));
      await proxy.close();
      expect(await goaway).toBe(http2.constants.NGHTTP2_NO_ERROR);
    });

    it('curl sees pass-through, a 507, a truncate and a reset; HTTP/1.1 curl still works on the same port', async () => {
      if (!requires(CURL, import.meta.url)) return;
      const up = await upstream();
      const proxy = await proxyFor(up.url, tls);
      const base = `${tls ? 'https' : 'http'}://127.0.0.1:${proxy.port}`;
      const h2 = tls ? ['-k', '--http2'] : ['--http2-prior-knowledge'];
      const w = ['-w', '%{http_version} %{http_code} %{size_download}'];
      expect(await curl([...h2, ...w, `${base}/files/a`])).toEqual({ code: 0, out: `2 200 ${BODY.length}` });
      expect(await curl([...h2, ...w, `${base}/full/x`])).toMatchObject({ code: 0, out: expect.stringMatching(/^2 507 /) });
      // RST_STREAM: "HTTP/2 stream 1 was not closed cleanly: INTERNAL_ERROR (err 2)", exit 92.
      expect((await curl([...h2, `${base}/truncate/x`])).code).toBe(92);
      expect((await curl([...h2, `${base}/reset/x`])).code).toBe(92);
      const h1 = tls ? ['-k', '--http1.1'] : ['--http1.1'];
      expect(await curl([...h1, ...w, `${base}/files/a`])).toEqual({ code: 0, out: `1.1 200 ${BODY.length}` });
      expect((await curl([...h1, `${base}/truncate/x`])).code).toBe(18);
    });
  });
}
