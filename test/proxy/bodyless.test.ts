import http from 'node:http';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { closeServer, listenOn, rawExchange } from '../helpers/http.js';
import { startProxy, type Running } from '../helpers/faultline.js';
import { cleanupAfterEach } from '../helpers/cleanup.js';

/*
 * The body-less requests undici would reframe (a PUT/POST/PATCH/QUERY/PROPFIND/PROPPATCH without
 * Content-Length, another method with `Content-Length: 0`) are sent by node:http
 * (src/proxy/node-upstream.ts) but take the same hot path: the same plans, failures and aborts.
 */
const cleanups = cleanupAfterEach();
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Two kinds of request on that path, as raw bytes. */
const POST_NO_LENGTH = (path: string): string => `POST ${path} HTTP/1.1\r\nHost: front\r\nConnection: close\r\n\r\n`;
const DELETE_ZERO = (path: string): string =>
  `DELETE ${path} HTTP/1.1\r\nHost: front\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`;

async function upstream(handler: http.RequestListener): Promise<{ url: string; count: (path: string) => number }> {
  const counts = new Map<string, number>();
  const server = http.createServer((req, res) => {
    counts.set(req.url ?? '', (counts.get(req.url ?? '') ?? 0) + 1);
    handler(req, res);
  });
  const port = await listenOn(server);
  cleanups.push(() => closeServer(server));
  return { url: `http://127.0.0.1:${port}`, count: (path) => counts.get(path) ?? 0 };
}

async function proxyFor(url: string, options: Parameters<typeof startProxy>[1] = {}): Promise<Running> {
  const proxy = await startProxy(url, options);
  cleanups.push(() => proxy.close());
  return proxy;
}

const SCENARIO = `
version: 1
rules:
  - name: cut
    match: { path: /cut }
    fault: { truncate: 10 }
  - name: reset-after
    match: { path: /reset-after }
    fault: { reset: { afterBytes: 10 } }
  - name: replaced
    match: { path: /replaced }
    fault: { replaceStatus: 507 }
  - name: held
    match: { path: /held }
    fault: { delay: 300ms, phase: response }
`;

/** A chunked body of 100 'x' in 10 chunks. */
function chunky(_req: http.IncomingMessage, res: http.ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/plain' });
  for (let i = 0; i < 10; i++) res.write('x'.repeat(10));
  res.end();
}

describe('body-less requests sent by node:http take the same hot path', () => {
  for (const [name, raw] of [
    ['POST without Content-Length', POST_NO_LENGTH],
    ['DELETE with Content-Length: 0', DELETE_ZERO],
  ] as const) {
    it(`${name}: truncate and reset-after cut the chunked answer (no terminating chunk)`, async () => {
      const up = await upstream(chunky);
      const proxy = await proxyFor(up.url, { scenario: SCENARIO });
      const cut = await rawExchange(proxy.port, raw('/cut'));
      expect(cut.data).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
      const body = cut.data.slice(cut.data.indexOf('\r\n\r\n') + 4);
      expect(body).not.toMatch(/\r\n0\r\n\r\n$/);
      expect(body.replace(/[0-9a-f]+\r\n|\r\n/g, '')).toBe('x'.repeat(10));
      const reset = await rawExchange(proxy.port, raw('/reset-after'));
      expect(reset.data).not.toMatch(/\r\n0\r\n\r\n$/);
      expect(up.count('/cut')).toBe(1);
    });

    it(`${name}: replaceStatus and a response-phase delay act on the upstream's answer`, async () => {
      const up = await upstream(chunky);
      const proxy = await proxyFor(up.url, { scenario: SCENARIO });
      const replaced = await rawExchange(proxy.port, raw('/replaced'));
      expect(replaced.data).toMatch(/^HTTP\/1\.1 507 /);
      expect(up.count('/replaced')).toBe(1);
      const started = Date.now();
      const held = await rawExchange(proxy.port, raw('/held'));
      expect(Date.now() - started).toBeGreaterThanOrEqual(280);
      expect(held.data).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
      expect(held.data).toMatch(/\r\n0\r\n\r\n$/);
    });

    it(`${name}: an upstream that does not answer in time gets 504 problem+json`, async () => {
      const up = await upstream(() => {
        /* never answers */
      });
      const proxy = await proxyFor(up.url, { flags: { upstreamTimeout: '300ms' } });
      const reply = await rawExchange(proxy.port, raw('/silent'));
      expect(reply.data).toMatch(/^HTTP\/1\.1 504 /);
      expect(reply.data).toContain('"code":"FAULTLINE_UPSTREAM_TIMEOUT"');
    });

    it(`${name}: an unreachable upstream gets 502 problem+json`, async () => {
      const server = net.createServer();
      const port = await listenOn(server);
      await closeServer(server);
      const proxy = await proxyFor(`http://127.0.0.1:${port}`);
      const reply = await rawExchange(proxy.port, raw('/gone'));
      expect(reply.data).toMatch(/^HTTP\/1\.1 502 /);
      expect(reply.data).toContain('"code":"FAULTLINE_UPSTREAM_UNREACHABLE"');
    });

    it(`${name}: an upstream dying after the head breaks the client connection`, async () => {
      const up = await upstream((_req, res) => {
        res.writeHead(200, { 'content-length': '1000' });
        res.write('partial');
        setTimeout(() => res.socket?.destroy(), 50);
      });
      const proxy = await proxyFor(up.url);
      const reply = await rawExchange(proxy.port, raw('/dies'));
      expect(reply.data).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
      expect(reply.data.endsWith('partial')).toBe(true);
    });

    it(`${name}: a client that leaves aborts the upstream request once, even on a reused connection`, async () => {
      let closed = 0;
      const up = await upstream((req, res) => {
        if (!(req.url ?? '').startsWith('/slow')) return res.end('ok');
        res.on('close', () => closed++);
        const timer = setTimeout(() => res.end('late'), 1000);
        res.on('close', () => clearTimeout(timer));
      });
      const proxy = await proxyFor(up.url);
      for (let i = 0; i < 3; i++) expect((await rawExchange(proxy.port, raw('/warm'))).data).toMatch(/^HTTP\/1\.1 200 /);
      for (let i = 0; i < 3; i++) {
        const socket = net.connect(proxy.port, '127.0.0.1');
        socket.on('error', () => {});
        socket.write(raw(`/slow/${i}`));
        await sleep(150);
        socket.destroy();
      }
      await sleep(400);
      for (let i = 0; i < 3; i++) expect(up.count(`/slow/${i}`)).toBe(1);
      expect(closed).toBe(3);
    });
  }
});
