import http from 'node:http';
import http2 from 'node:http2';
import { describe, expect, it } from 'vitest';
import { cleanupAfterEach } from '../helpers/cleanup.js';
import { startProxy } from '../helpers/faultline.js';
import { closeServer, listenOn } from '../helpers/http.js';

/*
 * An HTTP/1.1 upstream's head and trailers relayed to an HTTP/2 client, over real sockets, when
 * they hold fields HTTP/2 cannot carry as sent: connection-specific fields in the trailers (an
 * HTTP/1.1 trailer section may hold any field), and a field HTTP/2 allows once (Node refuses to
 * send Content-Type or Content-MD5 twice) repeated. The client must get the response and the
 * trailers it can carry, whole, and the proxy must not throw (it threw from Node's trailer
 * callback, uncaught, and the stream hung).
 */

const cleanups = cleanupAfterEach();

async function h1Upstream(): Promise<string> {
  const server = http.createServer((req, res) => {
    if (req.url === '/two-types') {
      res.writeHead(200, [
        ['Content-Type', 'text/plain'],
        ['Content-Type', 'text/html'],
        ['X-Many', '1'],
        ['X-Many', '2'],
      ]);
      res.end('two types');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain', trailer: 'x-checksum' });
    res.write('part one, ');
    res.addTrailers([
      ['X-Checksum', 'abc123'],
      ['Connection', 'close'],
      ['Keep-Alive', 'timeout=5'],
      ['TE', 'gzip'],
      ['Transfer-Encoding', 'chunked'],
      ['Content-MD5', 'first'],
      ['Content-MD5', 'second'],
      ['X-Many', '1'],
      ['X-Many', '2'],
    ]);
    res.end('part two');
  });
  const port = await listenOn(server);
  cleanups.push(() => closeServer(server));
  return `http://127.0.0.1:${port}`;
}

interface Got {
  headers: http2.IncomingHttpHeaders;
  trailers: http2.IncomingHttpHeaders | null;
  body: string;
  rstCode: number;
  ended: boolean;
}

function get(port: number, path: string): Promise<Got> {
  const session = http2.connect(`http://127.0.0.1:${port}`);
  session.on('error', () => undefined);
  cleanups.push(async () => session.destroy());
  return new Promise((resolve) => {
    const stream = session.request({ ':path': path, te: 'trailers' });
    const got: Got = { headers: {}, trailers: null, body: '', rstCode: 0, ended: false };
    // A stream that never ends is the failure this test looks for: give up after 3 s.
    const timer = setTimeout(() => stream.close(http2.constants.NGHTTP2_CANCEL), 3000);
    stream.on('response', (h) => (got.headers = h));
    stream.on('trailers', (t) => (got.trailers = t));
    stream.on('data', (c: Buffer) => (got.body += c.toString()));
    stream.on('end', () => (got.ended = true));
    stream.on('error', () => undefined);
    stream.on('close', () => {
      clearTimeout(timer);
      got.rstCode = stream.rstCode ?? 0;
      resolve(got);
    });
  });
}

describe('an HTTP/1.1 upstream relayed to an HTTP/2 client: fields HTTP/2 cannot carry as sent', () => {
  it('connection-specific trailers are dropped and a repeated single-value trailer keeps its first value', async () => {
    const proxy = await startProxy(await h1Upstream());
    cleanups.push(() => proxy.close());
    const got = await get(proxy.port, '/trailers');
    expect(got.ended).toBe(true);
    expect(got.rstCode).toBe(0);
    expect(got.body).toBe('part one, part two');
    expect(got.trailers).not.toBeNull();
    const trailers = { ...got.trailers };
    expect(trailers).toMatchObject({ 'x-checksum': 'abc123', 'content-md5': 'first', 'x-many': '1, 2' });
    for (const name of ['connection', 'keep-alive', 'te', 'transfer-encoding']) expect(trailers).not.toHaveProperty(name);
    // The proxy is still serving.
    expect((await get(proxy.port, '/trailers')).ended).toBe(true);
  });

  it('a repeated Content-Type keeps its first value instead of becoming a 502', async () => {
    const proxy = await startProxy(await h1Upstream());
    cleanups.push(() => proxy.close());
    const got = await get(proxy.port, '/two-types');
    expect(got.headers[':status']).toBe(200);
    expect(got.headers['content-type']).toBe('text/plain');
    expect(got.headers['x-many']).toBe('1, 2');
    expect(got.body).toBe('two types');
    expect(got.ended).toBe(true);
  });
});

describe('an HTTP/2 client relayed to an HTTP/1.1 upstream: Cookie crumbs', () => {
  it('Cookie fields sent as separate crumbs reach the upstream as one Cookie header joined with "; " (RFC 9113 §8.2.3)', async () => {
    const seen: string[][] = [];
    const server = http.createServer((req, res) => {
      seen.push(req.rawHeaders);
      res.end('ok');
    });
    const port = await listenOn(server);
    cleanups.push(() => closeServer(server));
    const proxy = await startProxy(`http://127.0.0.1:${port}`);
    cleanups.push(() => proxy.close());
    const session = http2.connect(`http://127.0.0.1:${proxy.port}`);
    session.on('error', () => undefined);
    cleanups.push(async () => session.destroy());
    await new Promise<void>((resolve) => {
      const stream = session.request({ ':path': '/', cookie: ['a=1', 'b=2; c=3', 'd=4'], 'x-other': ['1', '2'] });
      stream.on('error', () => undefined);
      stream.resume();
      stream.on('close', () => resolve());
    });
    const raw = seen[0] ?? [];
    const cookies = raw.filter((_, i) => i % 2 === 0 && raw[i]?.toLowerCase() === 'cookie').length;
    expect(cookies).toBe(1);
    expect(raw[raw.findIndex((v, i) => i % 2 === 0 && v.toLowerCase() === 'cookie') + 1]).toBe('a=1; b=2; c=3; d=4');
    // Other repeated fields stay as sent.
    expect(raw.filter((v, i) => i % 2 === 0 && v === 'x-other')).toHaveLength(2);
  });
});
