import http from 'node:http';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { makeSelfSigned } from '../../src/net/self-signed.js';
import { cleanupAfterEach } from '../helpers/cleanup.js';
import { startProxy, type Running } from '../helpers/faultline.js';
import { closeServer, rawExchange } from '../helpers/http.js';

/*
 * Upstreams over HTTP/2, over real sockets: faultline calls an h2c:// upstream with prior
 * knowledge, and an https:// one over h2 when ALPN picks it (--upstream-http2). What the upstream
 * receives (pseudo-headers, :authority, no connection-specific fields, te: trailers), what the
 * client gets back (body bytes, headers, trailers), and every response fault behaving as it does
 * from an HTTP/1.1 upstream, seen by Node's HTTP/2 client and by a raw HTTP/1.1 socket.
 */

const cleanups = cleanupAfterEach();

const BODY = Buffer.from(Array.from({ length: 64 * 1024 }, (_, i) => (i * 31 + 7) & 0xff));
const { NGHTTP2_INTERNAL_ERROR, NGHTTP2_CANCEL } = http2.constants;

const RULES = `
version: 1
rules:
  - name: cut
    match: { path: /truncate/** }
    fault: { truncate: 1000 }
  - name: rst
    match: { path: /reset/** }
    fault: { reset: true }
  - name: rst-after
    match: { path: /reset-after/** }
    fault: { reset: { afterBytes: 1000 } }
  - name: slow
    match: { path: /throttle/** }
    fault: { throttle: 256KiB/s }
  - name: late
    match: { path: /delay/** }
    fault: { delay: 300ms, phase: response }
`;

interface Seen {
  /** '2.0' or '1.1' */
  version: string;
  method: string;
  /** Raw header list as received (HTTP/2: pseudo-headers first). */
  raw: string[];
  body: Buffer;
  /** Set when the upstream's stream closed: its RST_STREAM code (0: none), whether the response was written out. */
  closed: { rstCode: number; finished: boolean } | null;
}

type Req = http.IncomingMessage | http2.Http2ServerRequest;
/** Both servers' responses, typed as node:http's (the compatibility API has the members used here). */
type Res = http.ServerResponse;

/**
 * One handler for every upstream kind (node:http and the HTTP/2 compatibility API share it), so
 * the HTTP/1.1 and HTTP/2 upstreams answer alike: BODY with Content-Length, or chunked with
 * trailers on /trailers, part of BODY then nothing on /stall, a reset before the head on /rst-upstream.
 */
function handler(seen: Seen[]): (req: Req, res: Res) => void {
  return (req, res) => {
    const entry: Seen = {
      version: req.httpVersion,
      method: req.method ?? '',
      raw: req.rawHeaders,
      body: Buffer.alloc(0),
      closed: null,
    };
    seen.push(entry);
    const chunks: Buffer[] = [];
    const stream = 'stream' in req ? req.stream : null;
    res.on('close', () => (entry.closed = { rstCode: stream?.rstCode ?? 0, finished: res.writableFinished }));
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      entry.body = Buffer.concat(chunks);
      const path = req.url ?? '/';
      if (path.startsWith('/rst-upstream')) {
        if (stream !== null) stream.close(NGHTTP2_INTERNAL_ERROR);
        else req.socket.resetAndDestroy();
        return;
      }
      if (path.startsWith('/stall')) {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        res.write(BODY.subarray(0, 1000));
        return;
      }
      if (path.includes('/trailers')) {
        res.writeHead(200, { 'content-type': 'application/octet-stream', trailer: 'x-checksum' });
        res.write(BODY.subarray(0, 30_000));
        res.addTrailers({ 'x-checksum': 'abc123', 'x-count': '2' });
        res.end(BODY.subarray(30_000));
        return;
      }
      res.writeHead(201, { 'content-type': 'application/octet-stream', 'content-length': String(BODY.length), 'x-up': 'yes' });
      res.end(BODY);
    });
  };
}

type Kind = 'h1' | 'h2c';

async function upstream(kind: Kind | 'https'): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const onRequest = handler(seen);
  let server: http.Server | http2.Http2Server | http2.Http2SecureServer;
  const onH2 = onRequest as unknown as (req: http2.Http2ServerRequest, res: http2.Http2ServerResponse) => void;
  if (kind === 'h1') server = http.createServer(onRequest);
  else if (kind === 'h2c') server = http2.createServer(onH2);
  else {
    const { cert, key } = await makeSelfSigned(['127.0.0.1']);
    server = http2.createSecureServer({ cert, key, allowHTTP1: true }, onH2);
  }
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on('session', (s: http2.ServerHttp2Session) => sessions.add(s));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  cleanups.push(async () => {
    for (const s of sessions) s.destroy();
    await closeServer(server);
  });
  const scheme = kind === 'h1' ? 'http' : kind === 'h2c' ? 'h2c' : 'https';
  return { url: `${scheme}://127.0.0.1:${port}`, seen };
}

async function proxyFor(url: string, flags: Record<string, string | boolean> = {}): Promise<Running> {
  const proxy = await startProxy(url, { scenario: RULES, flags });
  cleanups.push(() => proxy.close());
  return proxy;
}

interface StreamResult {
  status: number | null;
  headers: http2.IncomingHttpHeaders;
  trailers: http2.IncomingHttpHeaders;
  body: Buffer;
  rstCode: number;
  ended: boolean;
}

function connect(proxy: Running): http2.ClientHttp2Session {
  const session = http2.connect(`http://127.0.0.1:${proxy.port}`);
  session.on('error', () => undefined);
  cleanups.push(async () => session.destroy());
  return session;
}

function send(
  session: http2.ClientHttp2Session,
  path: string,
  options: {
    method?: string;
    headers?: http2.OutgoingHttpHeaders;
    body?: Buffer;
    onStream?: (s: http2.ClientHttp2Stream) => void;
  } = {},
): Promise<StreamResult> {
  return new Promise((resolve) => {
    // endStream stated: Node's client would end a GET's stream at its HEADERS on its own.
    const stream = session.request(
      { ':path': path, ':method': options.method ?? 'GET', ...options.headers },
      { endStream: options.body === undefined },
    );
    options.onStream?.(stream);
    const result: StreamResult = { status: null, headers: {}, trailers: {}, body: Buffer.alloc(0), rstCode: 0, ended: false };
    const chunks: Buffer[] = [];
    stream.on('response', (headers) => {
      result.status = Number(headers[':status']);
      result.headers = headers;
    });
    stream.on('trailers', (t) => (result.trailers = t));
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => (result.ended = true));
    stream.on('error', () => undefined);
    stream.on('close', () => {
      result.body = Buffer.concat(chunks);
      result.rstCode = stream.rstCode ?? 0;
      resolve(result);
    });
    if (options.body === undefined) stream.end();
    else {
      stream.write(options.body.subarray(0, 10));
      stream.end(options.body.subarray(10));
    }
  });
}

/** Header names and values (lower-case names) of a raw list, pseudo-headers included. */
function fields(raw: string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i < raw.length; i += 2) out.push([(raw[i] as string).toLowerCase(), raw[i + 1] as string]);
  return out;
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
}

describe('HTTP/2 upstreams: what reaches the upstream, what comes back', () => {
  it('h2c://: pseudo-headers with :authority from the upstream URL, no connection-specific fields, te: trailers kept', async () => {
    const up = await upstream('h2c');
    const proxy = await proxyFor(up.url.replace(/\/?$/, '/base'));
    const got = await send(connect(proxy), '/files/a?x=1', {
      method: 'POST',
      headers: { 'content-type': 'application/x-thing', te: 'trailers', 'x-custom': 'one', 'x-repeat': ['a', 'b'] },
      body: Buffer.from('a body in two DATA frames'),
    });
    expect(got.status).toBe(201);
    expect(got.rstCode).toBe(0);
    expect(got.ended).toBe(true);
    expect(got.body.equals(BODY)).toBe(true);
    expect(got.headers['x-up']).toBe('yes');
    expect(got.headers['content-length']).toBe(String(BODY.length));
    expect(got.headers['via']).toBe('1.1 faultline');
    const seen = up.seen[0] as Seen;
    expect(seen.version).toBe('2.0');
    expect(seen.body.toString()).toBe('a body in two DATA frames');
    const f = fields(seen.raw);
    const upstreamAuthority = new URL(up.url.replace('h2c:', 'http:')).host;
    expect(f.filter(([n]) => n.startsWith(':')).sort()).toEqual([
      [':authority', upstreamAuthority],
      [':method', 'POST'],
      [':path', '/base/files/a?x=1'],
      [':scheme', 'http'],
    ]);
    const names = f.map(([n]) => n);
    expect(names).not.toContain('host');
    for (const hop of ['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection'])
      expect(names).not.toContain(hop);
    expect(f).toContainEqual(['te', 'trailers']);
    expect(f).toContainEqual(['content-type', 'application/x-thing']);
    expect(f).toContainEqual(['x-custom', 'one']);
    expect(
      f
        .filter(([n]) => n === 'x-repeat')
        .map(([, v]) => v)
        .join(', '),
    ).toBe('a, b');
    expect(f).toContainEqual(['x-forwarded-host', `127.0.0.1:${proxy.port}`]);
    expect(f).toContainEqual(['x-forwarded-proto', 'http']);
    expect(f.find(([n]) => n === 'x-request-id')?.[1]).toBe(got.headers['x-request-id']);
  });

  it('h2c://: an HTTP/1.1 client is served too (the standard reason phrase), and its TE: trailers goes up', async () => {
    const up = await upstream('h2c');
    const proxy = await proxyFor(up.url);
    const res = await rawExchange(
      proxy.port,
      'GET /files/a HTTP/1.1\r\nHost: example.test\r\nTE: trailers\r\nConnection: TE, close\r\nX-One: 1\r\n\r\n',
    );
    expect(res.data.startsWith('HTTP/1.1 201 Created\r\n')).toBe(true);
    const [head, body] = [res.data.slice(0, res.data.indexOf('\r\n\r\n')), res.data.slice(res.data.indexOf('\r\n\r\n') + 4)];
    expect(head).toMatch(/\r\ncontent-length: 65536\r\n/i);
    expect(Buffer.from(body, 'latin1').equals(BODY)).toBe(true);
    const f = fields(up.seen[0]?.raw ?? []);
    expect(f).toContainEqual([':method', 'GET']);
    expect(f).toContainEqual(['te', 'trailers']);
    expect(f).toContainEqual(['x-one', '1']);
    expect(f).toContainEqual(['x-forwarded-host', 'example.test']);
  });

  it('h2c://: a GET with a body keeps it, and no Content-Length is made up', async () => {
    const up = await upstream('h2c');
    const proxy = await proxyFor(up.url);
    const got = await send(connect(proxy), '/files/q', { body: Buffer.from('{"query":"a GET body"}') });
    expect(got.status).toBe(201);
    expect(up.seen[0]?.method).toBe('GET');
    expect(up.seen[0]?.body.toString()).toBe('{"query":"a GET body"}');
    expect(fields(up.seen[0]?.raw ?? []).map(([n]) => n)).not.toContain('content-length');
  });

  it('response trailers are relayed to an HTTP/2 client and, chunked, to an HTTP/1.1 client', async () => {
    const up = await upstream('h2c');
    const proxy = await proxyFor(up.url);
    const got = await send(connect(proxy), '/trailers');
    expect(got.status).toBe(200);
    expect(got.rstCode).toBe(0);
    expect(got.body.equals(BODY)).toBe(true);
    expect(got.trailers).toMatchObject({ 'x-checksum': 'abc123', 'x-count': '2' });
    const res = await rawExchange(proxy.port, 'GET /trailers HTTP/1.1\r\nHost: x\r\nTE: trailers\r\nConnection: close\r\n\r\n');
    expect(res.data).toMatch(/\r\ntransfer-encoding: chunked\r\n/i);
    expect(res.data).toMatch(/\r\n0\r\nx-checksum: abc123\r\nx-count: 2\r\n\r\n$/);
  });

  it('https:// upstream: HTTP/1.1 by default, h2 by ALPN with --upstream-http2', async () => {
    const up = await upstream('https');
    const plain = await proxyFor(up.url, { upstreamInsecure: true });
    const viaH1 = await send(connect(plain), '/files/a');
    expect(viaH1.body.equals(BODY)).toBe(true);
    expect(up.seen[0]?.version).toBe('1.1');
    const h2 = await proxyFor(up.url, { upstreamInsecure: true, upstreamHttp2: true });
    const viaH2 = await send(connect(h2), '/trailers', { headers: { te: 'trailers' } });
    expect(viaH2.body.equals(BODY)).toBe(true);
    expect(viaH2.trailers).toMatchObject({ 'x-checksum': 'abc123' });
    expect(up.seen[1]?.version).toBe('2.0');
    expect(fields(up.seen[1]?.raw ?? [])).toContainEqual([':scheme', 'https']);
    expect(fields(up.seen[1]?.raw ?? [])).toContainEqual(['te', 'trailers']);
  });

  it('an upstream stream reset before the head is a 502 FAULTLINE_UPSTREAM_RESET; the next request is served', async () => {
    const up = await upstream('h2c');
    const proxy = await proxyFor(up.url);
    const session = connect(proxy);
    const got = await send(session, '/rst-upstream');
    expect(got.status).toBe(502);
    expect(JSON.parse(got.body.toString())).toMatchObject({ code: 'FAULTLINE_UPSTREAM_RESET' });
    expect((await send(session, '/files/a')).body.equals(BODY)).toBe(true);
  });

  it('h2c:// to an upstream that speaks only HTTP/1.1 is a 502 problem, not a hang', async () => {
    const up = await upstream('h1');
    const proxy = await proxyFor(up.url.replace('http:', 'h2c:'));
    const got = await send(connect(proxy), '/files/a');
    expect(got.status).toBe(502);
    expect(got.headers['content-type']).toBe('application/problem+json');
  });
});

describe('faults on a response from an HTTP/2 upstream behave as from an HTTP/1.1 upstream', () => {
  for (const kind of ['h1', 'h2c'] as const) {
    describe(`${kind} upstream`, () => {
      it('truncate and reset after N bytes: an HTTP/2 client sees the head, N bytes, then RST_STREAM', async () => {
        const up = await upstream(kind);
        const proxy = await proxyFor(up.url);
        const session = connect(proxy);
        for (const path of ['/truncate/x', '/reset-after/x']) {
          const got = await send(session, path);
          expect(got.status).toBe(201);
          expect(got.headers['content-length']).toBe(String(BODY.length));
          expect(got.ended).toBe(false);
          expect(got.rstCode).toBe(NGHTTP2_INTERNAL_ERROR);
          expect(got.body.equals(BODY.subarray(0, 1000))).toBe(true);
        }
        expect((await send(session, '/files/a')).body.equals(BODY)).toBe(true);
      });

      it('truncate: an HTTP/1.1 client gets the announced length, 1000 bytes, then the close', async () => {
        const up = await upstream(kind);
        const proxy = await proxyFor(up.url);
        const res = await rawExchange(proxy.port, 'GET /truncate/x HTTP/1.1\r\nHost: x\r\n\r\n');
        const at = res.data.indexOf('\r\n\r\n');
        expect(res.data.slice(0, at)).toMatch(/^HTTP\/1\.1 201 Created\r\n[\s\S]*content-length: 65536/i);
        expect(Buffer.from(res.data.slice(at + 4), 'latin1').equals(BODY.subarray(0, 1000))).toBe(true);
      });

      it('reset: RST_STREAM(INTERNAL_ERROR) for HTTP/2, a TCP reset for HTTP/1.1', async () => {
        const up = await upstream(kind);
        const proxy = await proxyFor(up.url);
        const got = await send(connect(proxy), '/reset/x');
        expect(got.status).toBeNull();
        expect(got.rstCode).toBe(NGHTTP2_INTERNAL_ERROR);
        const res = await rawExchange(proxy.port, 'GET /reset/x HTTP/1.1\r\nHost: x\r\n\r\n');
        expect(res.data).toBe('');
        expect(res.error).toBe('ECONNRESET');
      });

      it('throttle: the body and trailers arrive whole, at no more than the rate', async () => {
        const up = await upstream(kind);
        const proxy = await proxyFor(up.url);
        const started = performance.now();
        const got = await send(connect(proxy), '/throttle/trailers');
        const seconds = (performance.now() - started) / 1000;
        expect(got.rstCode).toBe(0);
        expect(got.body.equals(BODY)).toBe(true);
        expect(got.trailers).toMatchObject({ 'x-checksum': 'abc123' });
        // 64 KiB at 256 KiB/s: a quarter of a second at the least (the pacer's first burst aside).
        expect(seconds).toBeGreaterThan(0.15);
      });

      it('delay with phase: response holds the answer after the upstream has done its work', async () => {
        const up = await upstream(kind);
        const proxy = await proxyFor(up.url);
        const started = performance.now();
        const got = await send(connect(proxy), '/delay/x', { method: 'PUT', body: Buffer.from('the work') });
        expect(performance.now() - started).toBeGreaterThanOrEqual(290);
        expect(got.status).toBe(201);
        expect(got.body.equals(BODY)).toBe(true);
        expect(up.seen).toHaveLength(1);
        expect(up.seen[0]?.body.toString()).toBe('the work');
      });

      it('a client that leaves mid-response aborts the one upstream request, once', async () => {
        const up = await upstream(kind);
        const proxy = await proxyFor(up.url);
        const session = connect(proxy);
        const got = await send(session, '/stall/x', {
          onStream: (stream) => stream.once('data', () => stream.close(NGHTTP2_CANCEL)),
        });
        expect(got.status).toBe(200);
        await until(() => up.seen[0]?.closed !== null);
        expect(up.seen).toHaveLength(1);
        // HTTP/2: RST_STREAM(CANCEL); HTTP/1.1: the connection closed before the response was done.
        expect(up.seen[0]?.closed).toMatchObject(kind === 'h2c' ? { rstCode: NGHTTP2_CANCEL } : { finished: false });
        // The upstream connection pool carries on.
        expect((await send(session, '/files/a')).body.equals(BODY)).toBe(true);
        expect(up.seen).toHaveLength(2);
      });
    });
  }
});
