import http from 'node:http';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { closeServer, listenOn, rawExchange } from '../helpers/http.js';
import { startProxy, type Running } from '../helpers/faultline.js';
import { cleanupAfterEach } from '../helpers/cleanup.js';
import { rawUpstream, type RawUpstream } from './raw-upstream.js';

/*
 * Chunked requests from an HTTP/1.1 client go to an HTTP/1.1 upstream through node:http
 * (src/proxy/node-upstream.ts): `Transfer-Encoding: chunked` and `Trailer` stay in place, the body
 * arrives chunk for chunk, and the client's trailer section follows it. The same hot path as
 * undici's: faults, failures and aborts.
 */
const cleanups = cleanupAfterEach();
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function raw(): Promise<RawUpstream> {
  const up = await rawUpstream();
  cleanups.push(() => up.close());
  return up;
}

async function proxyFor(url: string, options: Parameters<typeof startProxy>[1] = {}): Promise<Running> {
  const proxy = await startProxy(url, options);
  cleanups.push(() => proxy.close());
  return proxy;
}

const chunks = (...parts: string[]): string => parts.map((p) => `${p.length.toString(16)}\r\n${p}\r\n`).join('');
/** What follows the head at the upstream: the bytes after the first blank line. */
const afterHead = (bytes: Buffer): string => {
  const text = bytes.toString('latin1');
  return text.slice(text.indexOf('\r\n\r\n') + 4);
};
const endToEnd = (headers: [string, string][]): [string, string][] =>
  headers.filter(([n]) => !/^(host|connection|x-forwarded-.*|via|x-request-id)$/i.test(n));

describe('chunked requests and their trailers reach the upstream as sent', () => {
  for (const method of ['PUT', 'POST', 'MKCOL', 'PROPFIND']) {
    it(`${method} chunked with trailers: head fields in place, the chunks and the trailer section byte for byte`, async () => {
      const up = await raw();
      const proxy = await proxyFor(up.url);
      const body = chunks('<D:x', 'ml/>', 'x'.repeat(300)) + '0\r\nX-Checksum: sha256=abc\r\nx-second: Two Words\r\n\r\n';
      const reply = await rawExchange(
        proxy.port,
        `${method} /t HTTP/1.1\r\nHost: front\r\nContent-Type: application/xml\r\nTransfer-Encoding: chunked\r\n` +
          `Trailer: X-Checksum, x-second\r\nDepth: 0\r\nConnection: close\r\n\r\n${body}`,
      );
      expect(reply.data).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
      expect(up.seen).toHaveLength(1);
      const got = up.seen[0]!;
      expect(got.line).toBe(`${method} /t HTTP/1.1`);
      expect(endToEnd(got.headers)).toEqual([
        ['Content-Type', 'application/xml'],
        ['Transfer-Encoding', 'chunked'],
        ['Trailer', 'X-Checksum, x-second'],
        ['Depth', '0'],
      ]);
      expect(afterHead(got.raw)).toBe(body);
      expect(got.trailers).toEqual([
        ['X-Checksum', 'sha256=abc'],
        ['x-second', 'Two Words'],
      ]);
    });
  }

  it('chunked without trailers: the chunks and a bare last chunk; an empty chunked body stays chunked', async () => {
    const up = await raw();
    const proxy = await proxyFor(up.url);
    const body = chunks('hello', ' world') + '0\r\n\r\n';
    await rawExchange(
      proxy.port,
      `POST /n HTTP/1.1\r\nHost: front\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n${body}`,
    );
    await rawExchange(
      proxy.port,
      'PUT /e HTTP/1.1\r\nHost: front\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\n',
    );
    expect(up.seen.map((r) => [r.framing, afterHead(r.raw)])).toEqual([
      ['chunked', body],
      ['chunked', '0\r\n\r\n'],
    ]);
  });

  it('a chunked body sent slowly keeps its chunks and trailers, with backpressure', async () => {
    const seen: { body: string; trailers: Record<string, string | undefined> }[] = [];
    const server = http.createServer((req, res) => {
      let body = '';
      req.setEncoding('latin1');
      req.on('data', (c: string) => (body += c));
      req.on('end', () => {
        seen.push({ body, trailers: req.trailers });
        res.end('done');
      });
    });
    const port = await listenOn(server);
    cleanups.push(() => closeServer(server));
    const proxy = await proxyFor(`http://127.0.0.1:${port}`);
    const socket = net.connect(proxy.port, '127.0.0.1');
    let data = '';
    socket.on('data', (c: Buffer) => (data += c.toString('latin1')));
    const closed = new Promise<void>((r) => socket.on('close', () => r()));
    socket.write('PUT /slow HTTP/1.1\r\nHost: front\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n');
    const big = 'y'.repeat(256 * 1024);
    for (let i = 0; i < 4; i++) {
      socket.write(chunks(big));
      await sleep(20);
    }
    socket.write('0\r\nX-Sum: 42\r\n\r\n');
    await closed;
    expect(data).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*done$/);
    expect(seen).toHaveLength(1);
    expect(seen[0]!.body).toBe(big.repeat(4));
    expect(seen[0]!.trailers).toEqual({ 'x-sum': '42' });
  });

  it('keep-alive holds on both sides across requests alternating between undici and node:http', async () => {
    const up = await raw();
    const proxy = await proxyFor(up.url);
    const socket = net.connect(proxy.port, '127.0.0.1');
    let data = '';
    socket.on('data', (c: Buffer) => (data += c.toString('latin1')));
    const requests = [
      'PUT /1 HTTP/1.1\r\nHost: front\r\nContent-Length: 3\r\n\r\nabc',
      `PUT /2 HTTP/1.1\r\nHost: front\r\nTransfer-Encoding: chunked\r\n\r\n${chunks('def')}0\r\nX-T: 1\r\n\r\n`,
      'GET /3 HTTP/1.1\r\nHost: front\r\n\r\n',
      'MKCOL /4/ HTTP/1.1\r\nHost: front\r\n\r\n',
      `POST /5 HTTP/1.1\r\nHost: front\r\nTransfer-Encoding: chunked\r\n\r\n${chunks('gh')}0\r\n\r\n`,
      'POST /6 HTTP/1.1\r\nHost: front\r\nContent-Length: 2\r\n\r\nij',
    ];
    for (const [i, request] of requests.entries()) {
      socket.write(request);
      await until(() => (data.match(/HTTP\/1\.1 200 OK/g) ?? []).length > i);
    }
    socket.destroy();
    expect(up.seen.map((r) => `${r.line.split(' ')[1]} ${r.framing} ${r.body.toString()}`)).toEqual([
      '/1 length abc',
      '/2 chunked def',
      '/3 none ',
      '/4/ none ',
      '/5 chunked gh',
      '/6 length ij',
    ]);
    expect(up.seen[1]!.trailers).toEqual([['X-T', '1']]);
    // One connection from undici's pool, one from node:http's agent, each reused.
    expect(up.connections()).toBe(2);
  });
});

describe('faults and failures on a chunked upload', () => {
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
`;
  const upload = (path: string): string =>
    `PUT ${path} HTTP/1.1\r\nHost: front\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n${chunks('abc', 'def')}0\r\nX-T: 1\r\n\r\n`;

  /** An upstream that reads the upload (recording it and its trailers) and answers 100 'x' in ten chunks. */
  async function chunkyUpstream(): Promise<{ url: string; uploads: string[] }> {
    const uploads: string[] = [];
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('latin1')));
      req.on('end', () => {
        uploads.push(`${req.url} ${body} ${JSON.stringify(req.trailers)}`);
        res.writeHead(200, { 'content-type': 'text/plain' });
        for (let i = 0; i < 10; i++) res.write('x'.repeat(10));
        res.end();
      });
    });
    const port = await listenOn(server);
    cleanups.push(() => closeServer(server));
    return { url: `http://127.0.0.1:${port}`, uploads };
  }

  it('truncate and reset-after cut the answer to a chunked upload (no terminating chunk); the upload arrived whole', async () => {
    const up = await chunkyUpstream();
    const proxy = await proxyFor(up.url, { scenario: SCENARIO });
    const cut = await rawExchange(proxy.port, upload('/cut'));
    expect(cut.data).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    const body = cut.data.slice(cut.data.indexOf('\r\n\r\n') + 4);
    expect(body).not.toMatch(/\r\n0\r\n\r\n$/);
    expect(body.replace(/[0-9a-f]+\r\n|\r\n/g, '')).toBe('x'.repeat(10));
    const reset = await rawExchange(proxy.port, upload('/reset-after'));
    expect(reset.data).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(reset.data).not.toMatch(/\r\n0\r\n\r\n$/);
    expect(reset.error).toBe('ECONNRESET');
    expect(up.uploads).toEqual(['/cut abcdef {"x-t":"1"}', '/reset-after abcdef {"x-t":"1"}']);
  });

  it('replaceStatus answers 507 to a chunked upload the upstream received with its trailers', async () => {
    const up = await chunkyUpstream();
    const proxy = await proxyFor(up.url, { scenario: SCENARIO });
    const replaced = await rawExchange(proxy.port, upload('/replaced'));
    expect(replaced.data).toMatch(/^HTTP\/1\.1 507 /);
    expect(up.uploads).toEqual(['/replaced abcdef {"x-t":"1"}']);
  });

  it('a client that leaves mid-upload aborts the upstream request once', async () => {
    let arrived = 0;
    let aborted = 0;
    const server = http.createServer((req, res) => {
      arrived++;
      req.on('aborted', () => aborted++);
      req.resume();
      req.on('end', () => res.end('ok'));
    });
    const port = await listenOn(server);
    cleanups.push(() => closeServer(server));
    const proxy = await proxyFor(`http://127.0.0.1:${port}`);
    const socket = net.connect(proxy.port, '127.0.0.1');
    socket.on('error', () => {});
    socket.write(`PUT /leave HTTP/1.1\r\nHost: front\r\nTransfer-Encoding: chunked\r\n\r\n${chunks('part one')}`);
    await until(() => arrived === 1);
    socket.destroy();
    await until(() => aborted === 1);
    await sleep(200);
    expect(arrived).toBe(1);
    expect(aborted).toBe(1);
  });

  it('an upstream that does not answer in time gets 504, one that resets before its head 502 (coded as on undici)', async () => {
    const server = net.createServer((socket) => {
      socket.on('error', () => {});
      socket.on('data', (c: Buffer) => {
        if (c.toString('latin1').includes('PUT /reset ')) socket.resetAndDestroy();
      });
    });
    const port = await listenOn(server);
    cleanups.push(() => closeServer(server));
    const proxy = await proxyFor(`http://127.0.0.1:${port}`, { flags: { upstreamTimeout: '300ms' } });
    const silent = await rawExchange(proxy.port, upload('/silent'));
    expect(silent.data).toMatch(/^HTTP\/1\.1 504 /);
    expect(silent.data).toContain('"code":"FAULTLINE_UPSTREAM_TIMEOUT"');
    const reset = await rawExchange(proxy.port, upload('/reset'));
    expect(reset.data).toMatch(/^HTTP\/1\.1 502 /);
    expect(reset.data).toContain('"code":"FAULTLINE_UPSTREAM_RESET"');
  });

  it('an unreachable upstream gets 502 problem+json, and the client connection stays usable', async () => {
    const server = net.createServer();
    const port = await listenOn(server);
    await closeServer(server);
    const proxy = await proxyFor(`http://127.0.0.1:${port}`);
    const socket = net.connect(proxy.port, '127.0.0.1');
    let data = '';
    socket.on('data', (c: Buffer) => (data += c.toString('latin1')));
    const head = 'PUT /gone HTTP/1.1\r\nHost: front\r\nTransfer-Encoding: chunked\r\n\r\n';
    socket.write(`${head}${chunks('abc')}0\r\nX-T: 1\r\n\r\n`);
    await until(() => (data.match(/HTTP\/1\.1 502 /g) ?? []).length === 1 && data.endsWith('}'));
    expect(data).toContain('"code":"FAULTLINE_UPSTREAM_UNREACHABLE"');
    expect(data).not.toMatch(/connection: close/i);
    socket.write(`${head}0\r\n\r\n`);
    await until(() => (data.match(/HTTP\/1\.1 502 /g) ?? []).length === 2);
    socket.destroy();
  });
});

async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 300 && !done(); i++) await sleep(10);
  expect(done()).toBe(true);
}
