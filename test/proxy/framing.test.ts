import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import net from 'node:net';
import { closeServer, listenOn, rawExchange } from '../helpers/http.js';
import { startProxy, type Running } from '../helpers/faultline.js';
import { rawUpstream, type RawRequest } from './raw-upstream.js';

/*
 * Exact transparency over the wire: a raw client writes a request byte by byte to the proxy, a raw
 * upstream records what arrives. Method, target, header fields (order and case), framing and body
 * must be what the client sent, but for the documented changes: hop-by-hop fields, Host, the
 * X-Forwarded-* fields, Via and X-Request-Id (docs/faults.md, "Pass-through").
 */

let up: Awaited<ReturnType<typeof rawUpstream>>;
let proxy: Running;
beforeAll(async () => {
  up = await rawUpstream();
  proxy = await startProxy(up.url);
});
afterAll(async () => {
  await proxy.close();
  await up.close();
});

const CHANGED = new Set([
  'host',
  'connection',
  'x-forwarded-for',
  'x-forwarded-proto',
  'x-forwarded-host',
  'via',
  'x-request-id',
]);

function endToEnd(headers: [string, string][]): [string, string][] {
  return headers.filter(([n]) => !CHANGED.has(n.toLowerCase()));
}

interface Case {
  name: string;
  method: string;
  target: string;
  headers: [string, string][];
  /** Raw body bytes as written on the wire (already chunk-framed for chunked cases). */
  wireBody: string;
  framing: RawRequest['framing'];
  body: string;
}

const XML = '<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:allprop/></D:propfind>';
const chunked = (...parts: string[]): string => parts.map((p) => `${p.length.toString(16)}\r\n${p}\r\n`).join('') + '0\r\n\r\n';

const CASES: Case[] = [
  { name: 'GET', method: 'GET', target: '/a?b=1', headers: [['Accept', '*/*']], wireBody: '', framing: 'none', body: '' },
  { name: 'HEAD', method: 'HEAD', target: '/h', headers: [['X-Case', 'Kept']], wireBody: '', framing: 'none', body: '' },
  { name: 'DELETE', method: 'DELETE', target: '/d/x', headers: [], wireBody: '', framing: 'none', body: '' },
  { name: 'OPTIONS', method: 'OPTIONS', target: '/o', headers: [], wireBody: '', framing: 'none', body: '' },
  {
    name: 'POST with a body',
    method: 'POST',
    target: '/p',
    headers: [
      ['Content-Type', 'text/plain'],
      ['Content-Length', '5'],
    ],
    wireBody: 'hello',
    framing: 'length',
    body: 'hello',
  },
  {
    name: 'PUT with Content-Length',
    method: 'PUT',
    target: '/f',
    headers: [['Content-Length', '3']],
    wireBody: 'abc',
    framing: 'length',
    body: 'abc',
  },
  {
    name: 'PUT chunked',
    method: 'PUT',
    target: '/c',
    headers: [['Transfer-Encoding', 'chunked']],
    wireBody: chunked('abc', 'defg'),
    framing: 'chunked',
    body: 'abcdefg',
  },
  { name: 'POST without a body', method: 'POST', target: '/p0', headers: [], wireBody: '', framing: 'none', body: '' },
  { name: 'PUT without a body', method: 'PUT', target: '/f0', headers: [['X-A', '1']], wireBody: '', framing: 'none', body: '' },
  { name: 'PATCH without a body', method: 'PATCH', target: '/f0', headers: [], wireBody: '', framing: 'none', body: '' },
  { name: 'MKCOL without a body', method: 'MKCOL', target: '/dir/', headers: [], wireBody: '', framing: 'none', body: '' },
  {
    name: 'MOVE',
    method: 'MOVE',
    target: '/a.txt',
    headers: [
      ['Destination', 'http://front/b.txt'],
      ['Overwrite', 'F'],
    ],
    wireBody: '',
    framing: 'none',
    body: '',
  },
  {
    name: 'COPY',
    method: 'COPY',
    target: '/a.txt',
    headers: [
      ['Destination', 'http://front/c.txt'],
      ['Depth', 'infinity'],
    ],
    wireBody: '',
    framing: 'none',
    body: '',
  },
  {
    name: 'PROPFIND without a body',
    method: 'PROPFIND',
    target: '/',
    headers: [['Depth', '1']],
    wireBody: '',
    framing: 'none',
    body: '',
  },
  {
    name: 'PROPFIND with a body',
    method: 'PROPFIND',
    target: '/',
    headers: [
      ['Depth', '0'],
      ['Content-Type', 'application/xml'],
      ['Content-Length', String(XML.length)],
    ],
    wireBody: XML,
    framing: 'length',
    body: XML,
  },
  {
    name: 'MKCOL with a chunked body',
    method: 'MKCOL',
    target: '/dir2/',
    headers: [['Transfer-Encoding', 'chunked']],
    wireBody: chunked('<x/>'),
    framing: 'chunked',
    body: '<x/>',
  },
];

describe('requests reach the upstream as the client sent them', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const before = up.seen.length;
      const head = [
        `${c.method} ${c.target} HTTP/1.1`,
        'Host: front',
        ...c.headers.map(([n, v]) => `${n}: ${v}`),
        'Connection: close',
      ];
      const reply = await rawExchange(proxy.port, head.join('\r\n') + '\r\n\r\n' + c.wireBody);
      expect(reply.data).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
      expect(up.seen.length).toBe(before + 1);
      const got = up.seen[before]!;
      expect(got.line).toBe(`${c.method} ${c.target} HTTP/1.1`);
      const sent = c.headers.filter(([n]) => n.toLowerCase() !== 'transfer-encoding');
      const received = endToEnd(got.headers).filter(([n]) => n.toLowerCase() !== 'transfer-encoding');
      expect(got.framing).toBe(c.framing);
      // Content-Length keeps its value (undici writes the name in lower case, last).
      const norm = (h: [string, string][]): [string, string][] =>
        h.map(([n, v]): [string, string] => (n.toLowerCase() === 'content-length' ? ['content-length', v] : [n, v]));
      const sortCl = (h: [string, string][]): [string, string][] => [
        ...h.filter(([n]) => n !== 'content-length'),
        ...h.filter(([n]) => n === 'content-length'),
      ];
      expect(sortCl(norm(received))).toEqual(sortCl(norm(sent)));
      expect(got.body.toString('latin1')).toBe(c.body);
    });
  }

  it('a body-less request of any method gets no framing added (MKCOL, MOVE, COPY, LOCK, REPORT, PURGE, PROPPATCH, QUERY)', async () => {
    for (const method of ['MKCOL', 'MOVE', 'COPY', 'LOCK', 'UNLOCK', 'REPORT', 'SEARCH', 'PURGE', 'PROPPATCH', 'QUERY']) {
      const before = up.seen.length;
      await rawExchange(proxy.port, `${method} /x HTTP/1.1\r\nHost: front\r\nConnection: close\r\n\r\n`);
      const got = up.seen[before]!;
      expect(got.line).toBe(`${method} /x HTTP/1.1`);
      expect(got.framing).toBe('none');
      expect(got.headers.filter(([n]) => /^(content-length|transfer-encoding)$/i.test(n))).toEqual([]);
    }
  });

  it("a client's `Content-Length: 0` on a body-less request is kept, in its place and case, whatever the method", async () => {
    for (const method of ['GET', 'DELETE', 'OPTIONS', 'MKCOL', 'MOVE', 'COPY', 'LOCK', 'POST', 'PUT', 'PROPFIND']) {
      const before = up.seen.length;
      const reply = await rawExchange(
        proxy.port,
        `${method} /z HTTP/1.1\r\nHost: front\r\nX-Before: 1\r\nContent-Length: 0\r\nX-After: 2\r\nConnection: close\r\n\r\n`,
      );
      expect(reply.data).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
      const got = up.seen[before]!;
      expect(got.line).toBe(`${method} /z HTTP/1.1`);
      expect(got.framing).toBe('length');
      const lengths = got.headers.filter(([n]) => n.toLowerCase() === 'content-length');
      expect(lengths.map(([, v]) => v)).toEqual(['0']);
      if (!['POST', 'PUT', 'PROPFIND'].includes(method)) {
        // Not on undici's "expects a payload" list: sent by node:http exactly as the client wrote it.
        expect(endToEnd(got.headers).slice(0, 3)).toEqual([
          ['X-Before', '1'],
          ['Content-Length', '0'],
          ['X-After', '2'],
        ]);
      }
    }
  });

  it('a body-less request undici would reframe keeps its keep-alive connection and gets its whole answer, repeatedly', async () => {
    const before = up.seen.length;
    const socket = net.connect(proxy.port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    let data = '';
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => (data += d));
    for (let i = 0; i < 3; i++) {
      const want = i + 1;
      socket.write(
        `POST /k${i} HTTP/1.1\r\nHost: front\r\n\r\nDELETE /d${i} HTTP/1.1\r\nHost: front\r\nContent-Length: 0\r\n\r\n`,
      );
      await until(() => (data.match(/HTTP\/1\.1 200 OK/g) ?? []).length >= want * 2);
    }
    socket.destroy();
    const got = up.seen.slice(before);
    expect(got.map((r) => r.line)).toEqual([0, 1, 2].flatMap((i) => [`POST /k${i} HTTP/1.1`, `DELETE /d${i} HTTP/1.1`]));
    expect(got.map((r) => r.framing)).toEqual(['none', 'length', 'none', 'length', 'none', 'length']);
  });
});

async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !done(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(done()).toBe(true);
}

describe('responses keep their framing, and trailers pass', () => {
  it('Content-Length stays Content-Length, chunked stays chunked, trailers are relayed', async () => {
    const server = http.createServer((req, res) => {
      if (req.url === '/cl') {
        res.writeHead(200, { 'Content-Length': '5' });
        res.end('fixed');
        return;
      }
      res.writeHead(200, { Trailer: 'X-Checksum' });
      res.write('chun');
      res.write('ked');
      res.addTrailers({ 'X-Checksum': 'abc123' });
      res.end();
    });
    const port = await listenOn(server);
    const p = await startProxy(`http://127.0.0.1:${port}`);
    try {
      const cl = await rawExchange(p.port, 'GET /cl HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      expect(cl.data).toMatch(/\r\nContent-Length: 5\r\n/);
      expect(cl.data.toLowerCase()).not.toContain('transfer-encoding');
      expect(cl.data.endsWith('\r\n\r\nfixed')).toBe(true);
      const ch = await rawExchange(p.port, 'GET /chunked HTTP/1.1\r\nHost: x\r\nTE: trailers\r\nConnection: close\r\n\r\n');
      expect(ch.data.toLowerCase()).toContain('transfer-encoding: chunked');
      expect(ch.data.toLowerCase()).not.toContain('content-length');
      expect(ch.data).toMatch(/\r\nTrailer: X-Checksum\r\n/);
      expect(ch.data.endsWith('0\r\nX-Checksum: abc123\r\n\r\n')).toBe(true);
    } finally {
      await p.close();
      await closeServer(server);
    }
  });

  it('Expect: 100-continue goes to the upstream; a client that stops waiting for 100 still gets its body through', async () => {
    // The raw upstream ignores Expect (it never sends 100 Continue), like an HTTP/1.0-minded server:
    // the client sends its body after waiting, as curl does after 1 s, and the body reaches it.
    const before = up.seen.length;
    const socket = net.connect(proxy.port, '127.0.0.1');
    let data = '';
    socket.on('data', (c: Buffer) => (data += c.toString('latin1')));
    const closed = new Promise<void>((r) => socket.on('close', () => r()));
    socket.on('error', () => {});
    socket.write('PUT /e HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n');
    setTimeout(() => socket.write('hello'), 300);
    await closed;
    expect(data.startsWith('HTTP/1.1 200 OK\r\n')).toBe(true);
    expect(data).not.toContain('100 Continue');
    const got = up.seen[before]!;
    expect(got.body.toString()).toBe('hello');
    expect(got.headers.filter(([n]) => n === 'Expect')).toEqual([['Expect', '100-continue']]);
  });
});
