import { execFile } from 'node:child_process';
import { writeFileSync, mkdtempSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { closeServer, listenOn } from '../helpers/http.js';
import { startProxy, type Running } from '../helpers/faultline.js';
import { cleanupAfterEach } from '../helpers/cleanup.js';
import { CURL, requires } from '../helpers/requires.js';
import { rawUpstream, type RawUpstream, type RawUpstreamOptions } from './raw-upstream.js';

/*
 * `Expect: 100-continue` from an HTTP/1.1 client goes to an HTTP/1.1 upstream (node:http,
 * src/proxy/node-upstream.ts): the `100 Continue` the client gets is the upstream's, and an
 * upstream that refuses the upload up front (a 507 before reading the body, as storage servers do)
 * is heard before the client sends a byte of it.
 */
const cleanups = cleanupAfterEach();
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** An S3-style refusal, written by the upstream instead of `100 Continue`. */
const S3_FULL =
  '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>InsufficientStorage</Code>' +
  '<Message>Your upload exceeds the storage available.</Message><RequestId>up-1</RequestId></Error>';
const REFUSE_507 =
  'HTTP/1.1 507 Insufficient Storage\r\nContent-Type: application/xml\r\n' +
  `Content-Length: ${S3_FULL.length}\r\nConnection: close\r\n\r\n${S3_FULL}`;

async function raw(options: RawUpstreamOptions): Promise<RawUpstream> {
  const up = await rawUpstream(options);
  cleanups.push(() => up.close());
  return up;
}

async function proxyFor(url: string, options: Parameters<typeof startProxy>[1] = {}): Promise<Running> {
  const proxy = await startProxy(url, options);
  cleanups.push(() => proxy.close());
  return proxy;
}

interface Seen {
  /** Everything the client received. */
  data: string;
  /** The proxy closed the connection (rather than the client giving up after `untilMs`). */
  closedByProxy: boolean;
  /** ms from the head to the `100 Continue`, or null. */
  continueAfterMs: number | null;
}

/**
 * A raw HTTP/1.1 client: writes `head`, then `body` once it sees `100 Continue` (or after
 * `sendAnywayMs`, as curl does after 1 s, when given), and reads until the proxy closes or `untilMs`.
 */
function expectingClient(
  port: number,
  head: string,
  body: string,
  options: { untilMs?: number; sendAnywayMs?: number; closeWhen?: (data: string) => boolean } = {},
): Promise<Seen> {
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
    const timer = setTimeout(() => socket.destroy(), options.untilMs ?? 3000);
    socket.on('data', (c: Buffer) => {
      data += c.toString('latin1');
      if (continueAfterMs === null && data.startsWith('HTTP/1.1 100 Continue\r\n\r\n')) {
        continueAfterMs = Date.now() - started;
        send();
      }
      if (options.closeWhen?.(data) === true) socket.destroy();
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

const endToEnd = (headers: [string, string][]): [string, string][] =>
  headers.filter(([n]) => !/^(host|connection|x-forwarded-.*|via|x-request-id)$/i.test(n));

describe('Expect: 100-continue reaches the upstream, and its answer the client', () => {
  it("the upstream's 100 Continue goes to the client, which then sends its body: it reaches the upstream once", async () => {
    const up = await raw({ expect: 'continue' });
    const proxy = await proxyFor(up.url);
    const seen = await expectingClient(
      proxy.port,
      'PUT /obj HTTP/1.1\r\nHost: front\r\nContent-Length: 11\r\nExpect: 100-continue\r\nX-After: 1\r\nConnection: close\r\n\r\n',
      'hello world',
    );
    expect(seen.data).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\nok$/);
    expect(seen.data.match(/100 Continue/g)).toHaveLength(1);
    expect(up.seen).toHaveLength(1);
    expect(endToEnd(up.seen[0]!.headers)).toEqual([
      ['Content-Length', '11'],
      ['Expect', '100-continue'],
      ['X-After', '1'],
    ]);
    expect(up.seen[0]!.body.toString()).toBe('hello world');
  });

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

  it('an upstream that refuses before any 100: the client gets its 507 and body, Connection: close, and no body byte goes up', async () => {
    const up = await raw({ expect: { refuse: REFUSE_507 } });
    const proxy = await proxyFor(up.url);
    const seen = await expectingClient(
      proxy.port,
      'PUT /big HTTP/1.1\r\nHost: front\r\nContent-Length: 1048576\r\nExpect: 100-continue\r\n\r\n',
      'x'.repeat(1048576),
    );
    expect(seen.continueAfterMs).toBeNull();
    expect(seen.data).toMatch(/^HTTP\/1\.1 507 Insufficient Storage\r\n/);
    expect(seen.data).toMatch(/\r\nConnection: close\r\n/i);
    expect(seen.data.endsWith(`\r\n\r\n${S3_FULL}`)).toBe(true);
    expect(seen.closedByProxy).toBe(true);
    expect(up.seen.map((r) => [r.line, r.body.length])).toEqual([['PUT /big HTTP/1.1', 0]]);
    await sleep(100);
    expect(up.afterRefusal()).toBe(0);
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

  it('an upstream that ignores Expect (no 100, reads the body when it comes) gets the body the client sends anyway', async () => {
    const up = await raw({});
    const proxy = await proxyFor(up.url);
    const seen = await expectingClient(
      proxy.port,
      'POST /ignore HTTP/1.1\r\nHost: front\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n',
      'data',
      { sendAnywayMs: 200 },
    );
    expect(seen.continueAfterMs).toBeNull();
    expect(seen.data).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\nok$/);
    // No 100 Continue went out: the connection closes after the response, as Node's server does.
    expect(seen.data).toMatch(/\r\nConnection: close\r\n/i);
    expect(seen.closedByProxy).toBe(true);
    expect(up.seen.map((r) => r.body.toString())).toEqual(['data']);
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

  it('a delay before forwarding holds the 100 until the upstream sends it', async () => {
    const up = await raw({ expect: 'continue' });
    const proxy = await proxyFor(up.url, { scenario: SCENARIO });
    const seen = await expectingClient(
      proxy.port,
      'PUT /held HTTP/1.1\r\nHost: front\r\nContent-Length: 2\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n',
      'hi',
    );
    expect(seen.continueAfterMs).toBeGreaterThanOrEqual(280);
    expect(seen.data).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 OK\r\n/);
    expect(up.seen.map((r) => [r.headers.some(([n]) => n === 'Expect'), r.body.toString()])).toEqual([[true, 'hi']]);
  });

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

  it('a quota rule overrun mid chunked upload with Expect answers 507 with the quota details', async () => {
    let arrived = 0;
    let completed = 0;
    const server = http.createServer((req, res) => {
      arrived++;
      req.resume();
      req.on('end', () => {
        completed++;
        res.end('stored');
      });
    });
    const port = await listenOn(server);
    cleanups.push(() => closeServer(server));
    const proxy = await proxyFor(`http://127.0.0.1:${port}`, {
      scenario: `
version: 1
rules:
  - name: tenant-quota
    match: { method: PUT, path: /upload/** }
    when: { quota: { key: "header:x-tenant-id", measure: bytes, limit: 10KiB } }
    fault: { status: 507 }
`,
    });
    const chunk = 'z'.repeat(4096);
    const body = `1000\r\n${chunk}\r\n`.repeat(4) + '0\r\n\r\n';
    const seen = await expectingClient(
      proxy.port,
      'PUT /upload/q/obj HTTP/1.1\r\nHost: front\r\nX-Tenant-Id: q\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n',
      body,
      { closeWhen: (d) => d.endsWith('}') },
    );
    expect(seen.continueAfterMs).not.toBeNull();
    expect(seen.data).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 507 /);
    const json = seen.data.slice(seen.data.indexOf('{'));
    expect(JSON.parse(json)).toMatchObject({ code: 'FAULTLINE_QUOTA_EXCEEDED', quota: { key: 'q', limit: 10240 } });
    await sleep(100);
    expect([arrived, completed]).toEqual([1, 0]);
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

  it('curl -T of 2 MiB against an upstream that refuses up front: curl gets the 507 at once and sends no body', async () => {
    const up = await raw({ expect: { refuse: REFUSE_507 } });
    const proxy = await proxyFor(up.url);
    const t = await curl(['-T', file(), '-w', '\n%{http_code} %{size_upload}', `${proxy.url}/bucket/key`]);
    expect(t.exit).toBe(0);
    expect(t.stdout).toBe(`${S3_FULL}\n507 0`);
    expect(t.stderr).not.toContain('100 Continue');
    await sleep(100);
    expect(up.afterRefusal()).toBe(0);
  });
});

describe('the AWS S3 SDK (PutObject of 2 MiB or more sends Expect: 100-continue)', () => {
  function s3(proxy: Running): S3Client {
    const client = new S3Client({
      endpoint: proxy.url,
      region: 'us-east-1',
      forcePathStyle: true,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      credentials: { accessKeyId: 'AKIAFAULTLINE', secretAccessKey: 'not-a-secret' },
      maxAttempts: 1,
    });
    cleanups.push(async () => client.destroy());
    return client;
  }

  it('the upstream continues: the object is stored, the upstream saw Expect', async () => {
    const expects: string[] = [];
    let size = -1;
    const server = http.createServer((req, res) => {
      expects.push(req.headers.expect ?? '-');
      let n = 0;
      req.on('data', (c: Buffer) => (n += c.length));
      req.on('end', () => {
        size = n;
        res.writeHead(200, { etag: '"0123456789abcdef0123456789abcdef"', 'content-length': 0 });
        res.end();
      });
    });
    const port = await listenOn(server);
    cleanups.push(() => closeServer(server));
    const proxy = await proxyFor(`http://127.0.0.1:${port}`);
    const out = await s3(proxy).send(new PutObjectCommand({ Bucket: 'b', Key: 'k', Body: Buffer.alloc(2 * 1024 * 1024, 1) }));
    expect(out.ETag).toBe('"0123456789abcdef0123456789abcdef"');
    expect(expects).toEqual(['100-continue']);
    expect(size).toBe(2 * 1024 * 1024);
  });

  it('the upstream answers InsufficientStorage (507) before 100: the SDK gets that error, no body byte goes up', async () => {
    const up = await raw({ expect: { refuse: REFUSE_507 } });
    const proxy = await proxyFor(up.url);
    let error: unknown = null;
    try {
      await s3(proxy).send(new PutObjectCommand({ Bucket: 'b', Key: 'k', Body: Buffer.alloc(2 * 1024 * 1024, 1) }));
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(S3ServiceException);
    const err = error as S3ServiceException;
    expect(err.name).toBe('InsufficientStorage');
    expect(err.$metadata.httpStatusCode).toBe(507);
    expect(err.message).toBe('Your upload exceeds the storage available.');
    expect(up.seen.map((r) => [r.line, r.headers.find(([n]) => n.toLowerCase() === 'expect')?.[1]])).toEqual([
      ['PUT /b/k?x-id=PutObject HTTP/1.1', '100-continue'],
    ]);
    await sleep(100);
    expect(up.afterRefusal()).toBe(0);
  });
});

async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 300 && !done(); i++) await sleep(10);
  expect(done()).toBe(true);
}
