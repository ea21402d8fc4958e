import http2 from 'node:http2';
import net, { type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { cleanupAfterEach } from '../helpers/cleanup.js';
import { startProxy, type Running } from '../helpers/faultline.js';
import { closeServer, request } from '../helpers/http.js';

/*
 * An h2c:// upstream that behaves as real HTTP/2 servers do under load and at shutdown, over real
 * sockets: a graceful GOAWAY whose last-stream-id leaves a request out (RFC 9113 §6.8: such a
 * stream "was not processed" and may be retried on a new connection, whatever its method), and
 * an upstream that refuses a stream with REFUSED_STREAM (§8.7). faultline must pass those
 * requests through, not answer 502 for requests the upstream never saw.
 */

const cleanups = cleanupAfterEach();

interface Seen {
  method: string;
  path: string;
  body: string;
  /** Which upstream connection (1, 2...) carried it. */
  connection: number;
}

/**
 * An HTTP/2 upstream on the raw stream API. `/hold` waits for `release()`; every other request is
 * answered with what it carried. `refuse(path)` makes the next stream for that path be refused: by a
 * GOAWAY whose last-stream-id is the stream before it ('goaway'), or by RST_STREAM(REFUSED_STREAM).
 */
async function h2Upstream(): Promise<{
  url: string;
  seen: Seen[];
  refuse: (path: string, how: 'goaway' | 'rst') => void;
  release: () => void;
}> {
  const seen: Seen[] = [];
  const held: http2.ServerHttp2Stream[] = [];
  const refusals = new Map<string, 'goaway' | 'rst'>();
  let connections = 0;
  const server = http2.createServer();
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on('session', (session) => {
    const connection = ++connections;
    sessions.add(session);
    session.on('error', () => undefined);
    let lastAccepted = 0;
    session.on('stream', (stream, headers) => {
      stream.on('error', () => undefined);
      const path = headers[':path'] ?? '';
      const how = refusals.get(path);
      if (how !== undefined) {
        refusals.delete(path);
        if (how === 'rst') stream.close(http2.constants.NGHTTP2_REFUSED_STREAM);
        // Graceful shutdown as servers do it: streams up to lastAccepted finish, this one was never processed.
        else session.goaway(http2.constants.NGHTTP2_NO_ERROR, lastAccepted);
        return;
      }
      lastAccepted = stream.id ?? lastAccepted;
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const body = Buffer.concat(chunks).toString();
        seen.push({ method: headers[':method'] ?? '', path, body, connection });
        if (path === '/hold') {
          held.push(stream);
          return;
        }
        stream.respond({ ':status': 200, 'content-type': 'text/plain' });
        stream.end(`${headers[':method']} ${path} ${body}`);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(async () => {
    for (const s of sessions) s.destroy();
    await closeServer(server);
  });
  return {
    url: `h2c://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    refuse: (path, how) => refusals.set(path, how),
    release: () => {
      for (const s of held.splice(0)) {
        s.respond({ ':status': 200 });
        s.end('held');
      }
    },
  };
}

async function proxyFor(url: string): Promise<Running> {
  const proxy = await startProxy(url, { scenario: 'version: 1\nrules: []\n' });
  cleanups.push(() => proxy.close());
  return proxy;
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 300 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
}

describe('h2c:// upstream: streams the upstream did not process are passed on, not failed', () => {
  for (const [method, body] of [
    ['POST', 'a body of 27 bytes, exactly'],
    ['DELETE', undefined],
    ['GET', undefined],
  ] as const) {
    it(`${method}${body === undefined ? '' : ' with a body'} left out by a graceful GOAWAY reaches the upstream on a new connection`, async () => {
      const up = await h2Upstream();
      const proxy = await proxyFor(up.url);
      // A request in flight on the connection, so the GOAWAY is graceful: it must still finish.
      const held = request(`${proxy.url}/hold`);
      await until(() => up.seen.length === 1);
      up.refuse('/left-out', 'goaway');
      const reply = await request(`${proxy.url}/left-out`, {
        method,
        ...(body === undefined ? {} : { body, headers: { 'content-type': 'text/plain' } }),
      });
      expect(reply.status).toBe(200);
      expect(reply.text).toBe(`${method} /left-out ${body ?? ''}`);
      expect(up.seen.filter((s) => s.path === '/left-out')).toEqual([
        { method, path: '/left-out', body: body ?? '', connection: 2 },
      ]);
      up.release();
      const first = await held;
      expect(first.status).toBe(200);
      expect(first.text).toBe('held');
    });
  }

  it('a POST refused with RST_STREAM(REFUSED_STREAM) is sent again, once, body and all', async () => {
    const up = await h2Upstream();
    const proxy = await proxyFor(up.url);
    up.refuse('/busy', 'rst');
    const reply = await request(`${proxy.url}/busy`, { method: 'POST', body: 'x'.repeat(40_000) });
    expect(reply.status).toBe(200);
    expect(reply.text).toBe(`POST /busy ${'x'.repeat(40_000)}`);
    expect(up.seen.filter((s) => s.path === '/busy')).toHaveLength(1);
  });
});

describe('https:// upstream with --upstream-http2 that never finishes the TLS handshake', () => {
  it('answers 502 problem+json within the upstream timeout instead of keeping the client waiting', async () => {
    const held: net.Socket[] = [];
    const blackhole = net.createServer((socket) => held.push(socket));
    await new Promise<void>((resolve) => blackhole.listen(0, '127.0.0.1', resolve));
    cleanups.push(async () => {
      for (const s of held) s.destroy();
      await closeServer(blackhole);
    });
    const port = (blackhole.address() as AddressInfo).port;
    const proxy = await startProxy(`https://127.0.0.1:${port}`, { flags: { upstreamHttp2: true, upstreamTimeout: '500ms' } });
    cleanups.push(() => proxy.close());
    // The client gives up after 5 s: before the fix it was still waiting then (no timer at all).
    const reply = await request(`${proxy.url}/x`, { timeoutMs: 5000 });
    expect(reply.status).toBe(502);
    expect(reply.headers['content-type']).toBe('application/problem+json');
    expect(JSON.parse(reply.text)).toMatchObject({ code: 'FAULTLINE_UPSTREAM_UNREACHABLE' });
  });
});

describe('https:// upstream over HTTP/1.1 that never finishes the TLS handshake', () => {
  it("answers 502 within the upstream timeout, not undici's own 10 s connect timeout; the body-less path too", async () => {
    const held: net.Socket[] = [];
    const blackhole = net.createServer((socket) => held.push(socket));
    await new Promise<void>((resolve) => blackhole.listen(0, '127.0.0.1', resolve));
    cleanups.push(async () => {
      for (const s of held) s.destroy();
      await closeServer(blackhole);
    });
    const port = (blackhole.address() as AddressInfo).port;
    const proxy = await startProxy(`https://127.0.0.1:${port}`, { flags: { upstreamTimeout: '500ms' } });
    cleanups.push(() => proxy.close());
    // The client gives up after 5 s: before the fix undici waited 10 s.
    for (const options of [{}, { method: 'DELETE', headers: { 'content-length': '0' } }]) {
      const reply = await request(`${proxy.url}/x`, { ...options, timeoutMs: 5000 });
      expect(reply.status).toBeGreaterThanOrEqual(502);
      expect(reply.headers['content-type']).toBe('application/problem+json');
    }
  });
});
