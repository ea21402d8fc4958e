import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { closeServer, listenOn, rawExchange } from '../helpers/http.js';
import { startProxy, type Running } from '../helpers/faultline.js';
import { cleanupAfterEach } from '../helpers/cleanup.js';
import { CURL, requires } from '../helpers/requires.js';
import { rawUpstream, type RawUpstream, type RawUpstreamOptions } from './raw-upstream.js';

/*
 * The node:http path (src/proxy/node-upstream.ts) beyond expect-trailers.test.ts: chunk-exact
 * bodies and trailers, backpressure, keep-alive beside undici's pool, every plan point and failure
 * on chunked and `Expect: 100-continue` uploads, and a cut on the last bytes of a small response
 * (it crashed the process: an abort after the response had arrived whole).
 */
const cleanups = cleanupAfterEach();
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function raw(options: RawUpstreamOptions = {}): Promise<RawUpstream> {
  const up = await rawUpstream(options);
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
});

/** An S3-style refusal, written by the upstream instead of `100 Continue`. */
const S3_FULL =
  '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>InsufficientStorage</Code>' +
  '<Message>Your upload exceeds the storage available.</Message><RequestId>up-1</RequestId></Error>';
const REFUSE_507 =
  'HTTP/1.1 507 Insufficient Storage\r\nContent-Type: application/xml\r\n' +
  `Content-Length: ${S3_FULL.length}\r\nConnection: close\r\n\r\n${S3_FULL}`;

interface Seen {
  /** Everything the client received. */
  data: string;
  /** The proxy closed the connection (rather than the client giving up after 3 s). */
  closedByProxy: boolean;
  /** ms from the head to the `100 Continue`, or null. */
  continueAfterMs: number | null;
}

/**
 * A raw HTTP/1.1 client: writes `head`, then `body` once it sees `100 Continue` (or after
 * `sendAnywayMs`, as curl does after 1 s, when given), and reads until the proxy closes (or 3 s).
 */
function expectingClient(port: number, head: string, body: string, options: { sendAnywayMs?: number } = {}): Promise<Seen> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const started = Date.now();
    let data = '';
    let sent = false;
    let closedByProxy = false;
    let continueAfterMs: number | null = null;
    const send = (): void => {
      if (sent) return;
      sent = true;
      socket.write(body);
    };
    const anyway = options.sendAnywayMs === undefined ? null : setTimeout(send, options.sendAnywayMs);
    const timer = setTimeout(() => socket.destroy(), 3000);
    socket.on('data', (c: Buffer) => {
      data += c.toString('latin1');
      if (continueAfterMs === null && data.startsWith('HTTP/1.1 100 Continue\r\n\r\n')) {
        continueAfterMs = Date.now() - started;
        send();
      }
    });
    socket.on('end', () => (closedByProxy = true));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      if (anyway !== null) clearTimeout(anyway);
      resolve({ data, closedByProxy, continueAfterMs });
    });
    socket.write(head);
  });
}

describe('Expect: 100-continue, more cases', () => {
  it('a chunked upload with Expect and trailers: 100 relayed, chunks and trailers arrive as sent', async () => {
    const up = await raw({ expect: 'continue' });
    const proxy = await proxyFor(up.url);
    const body = '5\r\nhello\r\n6\r\n world\r\n0\r\nX-Sum: 7\r\n\r\n';
    const seen = await expectingClient(
      proxy.port,
      'PUT /c HTTP/1.1\r\nHost: front\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n',
      body,
    );
    expect(seen.data).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 OK\r\n/);
    const got = up.seen[0]!;
    expect(endToEnd(got.headers)).toEqual([
      ['Transfer-Encoding', 'chunked'],
      ['Expect', '100-continue'],
    ]);
    const text = got.raw.toString('latin1');
    expect(text.slice(text.indexOf('\r\n\r\n') + 4)).toBe(body);
  });

  it('a client that sends its body anyway (timed out waiting) gets the refusal too, and the body never goes up', async () => {
    const up = await raw({ expect: { refuse: REFUSE_507 } });
    const proxy = await proxyFor(up.url, {
      scenario: 'version: 1\nrules:\n  - name: slow\n    match: { path: /slow }\n    fault: { delay: 300ms, phase: response }\n',
    });
    const seen = await expectingClient(
      proxy.port,
      'PUT /slow HTTP/1.1\r\nHost: front\r\nContent-Length: 65536\r\nExpect: 100-continue\r\n\r\n',
      'y'.repeat(65536),
      { sendAnywayMs: 50 },
    );
    expect(seen.data).toMatch(/^HTTP\/1\.1 507 Insufficient Storage\r\n/);
    expect(seen.data).toMatch(/\r\nConnection: close\r\n/i);
    expect(seen.closedByProxy).toBe(true);
    await sleep(100);
    expect(up.afterRefusal()).toBe(0);
  });

  it('keep-alive: after a continued Expect upload the same connection carries another request', async () => {
    const up = await raw({ expect: 'continue' });
    const proxy = await proxyFor(up.url);
    const socket = net.connect(proxy.port, '127.0.0.1');
    let data = '';
    socket.on('data', (c: Buffer) => {
      data += c.toString('latin1');
      if (data === 'HTTP/1.1 100 Continue\r\n\r\n') socket.write('abc');
    });
    socket.write('PUT /a HTTP/1.1\r\nHost: front\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n');
    await until(() => data.endsWith('ok'));
    socket.write('GET /b HTTP/1.1\r\nHost: front\r\n\r\n');
    await until(() => (data.match(/HTTP\/1\.1 200 OK/g) ?? []).length === 2 && data.endsWith('ok'));
    socket.destroy();
    expect(up.seen.map((r) => `${r.line} ${r.body.toString()}`)).toEqual(['PUT /a HTTP/1.1 abc', 'GET /b HTTP/1.1 ']);
  });
});

describe('faults and failures on Expect: 100-continue requests', () => {
  const SCENARIO = `
version: 1
rules:
  - name: held
    match: { path: /held }
    fault: { delay: 300ms }
  - name: replaced
    match: { path: /replaced }
    fault: { replaceStatus: 503 }
  - name: full
    match: { path: /full }
    fault: { status: 507 }
  - name: cut
    match: { path: /cut }
    fault: { truncate: 1 }
`;

  it('an answer before forwarding goes out without 100; replaceStatus and truncate act on the upstream answer', async () => {
    const up = await raw({ expect: 'continue' });
    const proxy = await proxyFor(up.url, { scenario: SCENARIO });
    const head = (path: string): string =>
      `PUT ${path} HTTP/1.1\r\nHost: front\r\nContent-Length: 2\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n`;
    const full = await expectingClient(proxy.port, head('/full'), 'hi');
    expect(full.data).toMatch(/^HTTP\/1\.1 507 /);
    expect(full.continueAfterMs).toBeNull();
    const replaced = await expectingClient(proxy.port, head('/replaced'), 'hi');
    expect(replaced.data).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 503 /);
    const cut = await expectingClient(proxy.port, head('/cut'), 'hi');
    expect(cut.data).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\no$/);
    expect(up.seen.map((r) => `${r.line} ${r.body.toString()}`)).toEqual(['PUT /replaced HTTP/1.1 hi', 'PUT /cut HTTP/1.1 hi']);
  });

  it('an unreachable upstream: 502 problem+json without 100, and the connection closes', async () => {
    const server = net.createServer();
    const port = await listenOn(server);
    await closeServer(server);
    const proxy = await proxyFor(`http://127.0.0.1:${port}`);
    const seen = await expectingClient(
      proxy.port,
      'PUT /gone HTTP/1.1\r\nHost: front\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n',
      '0\r\n\r\n',
    );
    expect(seen.data).toMatch(/^HTTP\/1\.1 502 /);
    expect(seen.data).toContain('"code":"FAULTLINE_UPSTREAM_UNREACHABLE"');
    expect(seen.data).toMatch(/\r\nConnection: close\r\n/i);
    expect(seen.closedByProxy).toBe(true);
  });

  it('a client that leaves while the upstream has not answered the Expect aborts the upstream request once', async () => {
    let arrived = 0;
    let closed = 0;
    const server = http.createServer();
    // A server that neither continues nor answers.
    server.on('checkContinue', (_req, res: http.ServerResponse) => {
      arrived++;
      res.on('close', () => closed++);
    });
    const port = await listenOn(server);
    cleanups.push(() => closeServer(server));
    const proxy = await proxyFor(`http://127.0.0.1:${port}`);
    const socket = net.connect(proxy.port, '127.0.0.1');
    socket.on('error', () => {});
    socket.write('PUT /wait HTTP/1.1\r\nHost: front\r\nContent-Length: 10\r\nExpect: 100-continue\r\n\r\n');
    await until(() => arrived === 1);
    socket.destroy();
    await until(() => closed === 1);
    await sleep(100);
    expect([arrived, closed]).toEqual([1, 1]);
  });
});

describe.skipIf(!requires(CURL, import.meta.url))('curl', () => {
  const file = (): string => {
    const path = join(mkdtempSync(join(tmpdir(), 'faultline-expect-')), 'upload.bin');
    writeFileSync(path, Buffer.alloc(2 * 1024 * 1024, 0x63));
    return path;
  };

  function curl(args: string[]): Promise<{ exit: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      execFile('curl', ['-sS', '-v', '--max-time', '10', ...args], { encoding: 'latin1' }, (err, stdout, stderr) => {
        const exit = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
        resolve({ exit, stdout, stderr });
      });
    });
  }

  /** A Node upstream (it sends 100 Continue by itself) that stores upload sizes and saw-Expect flags. */
  async function storing(): Promise<{ url: string; got: string[] }> {
    const got: string[] = [];
    const server = http.createServer((req, res) => {
      let size = 0;
      req.on('data', (c: Buffer) => (size += c.length));
      req.on('end', () => {
        got.push(`${req.method} ${req.url} ${size} expect=${req.headers.expect ?? '-'}`);
        res.end('stored');
      });
    });
    const port = await listenOn(server);
    cleanups.push(() => closeServer(server));
    return { url: `http://127.0.0.1:${port}`, got };
  }

  it('curl -T of 2 MiB (Expect by default) and -H "Expect: 100-continue": the upstream continues and gets each body once', async () => {
    const up = await storing();
    const proxy = await proxyFor(up.url);
    const path = file();
    const t = await curl(['-T', path, `${proxy.url}/put/file`]);
    expect(t.exit).toBe(0);
    expect(t.stdout).toBe('stored');
    expect(t.stderr).toContain('> Expect: 100-continue');
    expect(t.stderr).toContain('< HTTP/1.1 100 Continue');
    const h = await curl(['-H', 'Expect: 100-continue', '--data-binary', 'small body', `${proxy.url}/post/small`]);
    expect(h.exit).toBe(0);
    expect(h.stderr).toContain('< HTTP/1.1 100 Continue');
    expect(up.got).toEqual(['PUT /put/file 2097152 expect=100-continue', 'POST /post/small 10 expect=100-continue']);
  });
});

describe('a cut on the last bytes of a small response on the node:http path', () => {
  it('neither crashes nor loses the upstream connection: body-less POST, chunked PUT, Expect PUT', async () => {
    const up = await raw({ expect: 'continue' });
    const proxy = await proxyFor(up.url, {
      scenario: 'version: 1\nrules:\n  - name: cut\n    match: { path: /cut/** }\n    fault: { truncate: 1 }\n',
    });
    for (let i = 0; i < 3; i++) {
      const post = await rawExchange(proxy.port, `POST /cut/post${i} HTTP/1.1\r\nHost: front\r\n\r\n`);
      expect(post.data).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\no$/);
      const put = await rawExchange(
        proxy.port,
        `PUT /cut/put${i} HTTP/1.1\r\nHost: front\r\nTransfer-Encoding: chunked\r\n\r\n${chunks('abc')}0\r\n\r\n`,
      );
      expect(put.data).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\no$/);
      const continued = await expectingClient(
        proxy.port,
        `PUT /cut/expect${i} HTTP/1.1\r\nHost: front\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n`,
        'hi',
      );
      expect(continued.data).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\no$/);
    }
    expect(up.seen).toHaveLength(9);
    // The whole response had arrived: its connection went back to node:http's pool and was reused.
    expect(up.connections()).toBe(1);
  });
});

async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 300 && !done(); i++) await sleep(10);
  expect(done()).toBe(true);
}
