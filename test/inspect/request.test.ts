import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspect } from '../../src/inspect/index.js';
import { plain, startServer, type TestServer } from './server.js';

let server: TestServer;
let other: TestServer;
const seen: { method: string; path: string; auth: string | undefined; body: string }[] = [];

beforeAll(async () => {
  other = await startServer({
    '/landing': (req, res) => {
      seen.push({ method: req.method ?? '', path: '/landing@other', auth: req.headers.authorization, body: '' });
      res.end('other');
    },
  });
  server = await startServer({
    '/ok': plain(200, { 'content-type': 'text/plain' }, 'ok'),
    '/big': plain(200, { 'content-type': 'text/plain' }, 'x'.repeat(200_000)),
    '/gzip': plain(
      500,
      {
        'content-type': 'application/problem+json',
        'content-encoding': 'gzip',
        'cache-control': 'no-store',
        'x-request-id': 'r',
      },
      gzipSync('{"detail":"SQLSTATE[42000]"}'),
    ),
    '/stall': (_req, res) => res.writeHead(200, { 'content-length': '10' }).write('hello'),
    '/silent': () => undefined,
    '/a': plain(301, { location: '/b' }),
    '/b': plain(302, { location: 'c' }),
    '/c': plain(200, { 'content-type': 'text/plain' }, 'end'),
    '/loop': plain(302, { location: '/loop' }),
    '/see-other': plain(303, { location: '/echo' }),
    '/temporary': plain(307, { location: '/echo' }),
    '/cross': (_req, res) => res.writeHead(302, { location: `${other.url}/landing` }).end(),
    '/echo': (req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.push({ method: req.method ?? '', path: '/echo', auth: req.headers.authorization, body });
        res.end('echo');
      });
    },
  });
});
afterAll(async () => {
  await server.close();
  await other.close();
});

describe('one exchange', () => {
  it('times DNS, connect, first byte and total, in order', async () => {
    const r = await inspect({ url: `http://localhost:${server.port}/ok` });
    const t = r.exchanges[0]!.timings;
    expect(t.dnsMs).not.toBeNull();
    expect(t.tlsMs).toBeNull();
    const order = [t.dnsMs, t.connectMs, t.firstByteMs, t.totalMs] as number[];
    for (const v of order) expect(v).toBeGreaterThanOrEqual(0);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  it('has no DNS time for an IP literal', async () => {
    const r = await inspect({ url: `${server.url}/ok` });
    expect(r.exchanges[0]!.timings.dnsMs).toBeNull();
    expect(r.exchanges[0]!.timings.connectMs).not.toBeNull();
  });

  it('records exactly the request it sent', async () => {
    const r = await inspect({
      url: `${server.url}/echo`,
      headers: [
        ['X-Trace', 'a'],
        ['X-Trace', 'b'],
      ],
      body: 'hi',
    });
    expect(r.exchanges[0]!.request).toEqual({
      method: 'POST',
      url: `${server.url}/echo`,
      headers: [
        ['Host', `127.0.0.1:${server.port}`],
        ['X-Trace', 'a'],
        ['X-Trace', 'b'],
        ['User-Agent', 'faultline-inspect'],
        ['Accept', '*/*'],
        ['Content-Length', '2'],
        ['Connection', 'keep-alive'],
      ],
      bodyBytes: 2,
    });
    expect(seen.at(-1)).toMatchObject({ method: 'POST', body: 'hi' });
  });

  it('keeps the first 64 KiB of a body but counts every byte', async () => {
    const res = (await inspect({ url: `${server.url}/big` })).exchanges[0]!.response;
    expect(res).toMatchObject({ bodyBytes: 200_000, bodyTruncated: true, complete: true });
    expect(res.body.length).toBe(64 * 1024);
  });

  it('analyses a gzip body decoded', async () => {
    const r = await inspect({ url: `${server.url}/gzip` });
    expect(r.exchanges[0]!.response.text).toBe('{"detail":"SQLSTATE[42000]"}');
    expect(r.findings.map((f) => f.id)).toEqual(['leak-sql-error']);
  });

  it('reports a body that stalls as incomplete and timed out, without a length finding', async () => {
    const r = await inspect({ url: `${server.url}/stall` }, { timeoutMs: 300 });
    expect(r.exchanges[0]!.response).toMatchObject({ timedOut: true, complete: false, bodyBytes: 5 });
    expect(r.findings).toEqual([]);
  });

  it('fails with FAULTLINE_UPSTREAM_TIMEOUT when no head arrives in time', async () => {
    await expect(inspect({ url: `${server.url}/silent` }, { timeoutMs: 200 })).rejects.toMatchObject({
      code: 'FAULTLINE_UPSTREAM_TIMEOUT',
    });
  });

  it.each([
    ['not a url', 'not an absolute URL'],
    ['ftp://example.com/', 'unsupported scheme'],
  ])('refuses %s as a usage error', async (url, message) => {
    await expect(inspect({ url })).rejects.toMatchObject({ code: 'FAULTLINE_USAGE', message: expect.stringContaining(message) });
  });

  it('refuses a header value with a line break', async () => {
    await expect(inspect({ url: `${server.url}/ok`, headers: [['X-A', 'a\r\nX-B: b']] })).rejects.toMatchObject({
      code: 'FAULTLINE_USAGE',
    });
  });
});

describe('redirects', () => {
  it('shows a redirect without following it by default', async () => {
    const r = await inspect({ url: `${server.url}/a` });
    expect(r.exchanges).toHaveLength(1);
    expect(r.findings.map((f) => f.id)).toEqual(['redirect-not-followed']);
  });

  it('follows the chain with follow, resolving relative Locations', async () => {
    const r = await inspect({ url: `${server.url}/a` }, { follow: true });
    expect(r.exchanges.map((e) => [new URL(e.request.url).pathname, e.response.status])).toEqual([
      ['/a', 301],
      ['/b', 302],
      ['/c', 200],
    ]);
    expect(r.findings).toEqual([]);
  });

  it('stops at the limit with too-many-redirects', async () => {
    const r = await inspect({ url: `${server.url}/loop` }, { follow: true, maxRedirects: 3 });
    expect(r.exchanges).toHaveLength(4);
    expect(r.findings.map((f) => f.id)).toEqual(['too-many-redirects']);
    expect(r.counts.error).toBe(1);
  });

  it('turns POST into GET on 303 and keeps it on 307 (RFC 9110 §15.4.4, §15.4.8)', async () => {
    await inspect({ url: `${server.url}/see-other`, body: 'data' }, { follow: true });
    expect(seen.at(-1)).toMatchObject({ method: 'GET', body: '' });
    await inspect({ url: `${server.url}/temporary`, body: 'data' }, { follow: true });
    expect(seen.at(-1)).toMatchObject({ method: 'POST', body: 'data' });
  });

  it('does not send credentials to another origin', async () => {
    const r = await inspect({ url: `${server.url}/cross`, headers: [['Authorization', 'Bearer t']] }, { follow: true });
    expect(r.exchanges).toHaveLength(2);
    expect(seen.at(-1)).toMatchObject({ path: '/landing@other', auth: undefined });
  });
});
