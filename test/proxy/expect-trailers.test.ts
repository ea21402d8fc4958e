import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { cleanupAfterEach } from '../helpers/cleanup.js';
import { startProxy, type Running } from '../helpers/faultline.js';
import { closeServer, listenOn, rawExchange } from '../helpers/http.js';
import { CURL, locate } from '../helpers/requires.js';
import { rawUpstream } from './raw-upstream.js';

/*
 * Request trailers and `Expect: 100-continue` pass through (src/proxy/node-upstream.ts): a chunked
 * body reaches the upstream chunked with the client's trailers; `Expect` goes to the upstream,
 * whose `100 Continue` comes back, and whose refusal before the body reaches the client before it
 * uploads anything — what an S3 SDK or curl sees from a storage server that is full.
 */

const cleanups = cleanupAfterEach();

describe('request trailers pass, chunked stays chunked', () => {
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

  it('a chunked PUT with trailers arrives chunked, its chunks and trailer section intact, framing fields in place', async () => {
    const before = up.seen.length;
    const r = await rawExchange(
      proxy.port,
      'PUT /t HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTrailer: X-Checksum\r\nConnection: close\r\n\r\n' +
        '5\r\nhello\r\n6\r\n world\r\n0\r\nX-Checksum: sha256=abc\r\nX-Other: 2\r\n\r\n',
    );
    expect(r.data.startsWith('HTTP/1.1 200 OK\r\n')).toBe(true);
    const got = up.seen[before]!;
    expect(got.line).toBe('PUT /t HTTP/1.1');
    expect(got.framing).toBe('chunked');
    expect(got.body.toString()).toBe('hello world');
    expect(got.trailers).toEqual([
      ['X-Checksum', 'sha256=abc'],
      ['X-Other', '2'],
    ]);
    const names = got.headers.map(([n]) => n);
    expect(names.slice(0, 2)).toEqual(['Transfer-Encoding', 'Trailer']);
    expect(names.map((n) => n.toLowerCase())).not.toContain('content-length');
  });

  it('chunked POST, MKCOL and PROPFIND bodies stay chunked; a pipelined mix on one connection keeps each framing', async () => {
    const before = up.seen.length;
    const r = await rawExchange(
      proxy.port,
      'POST /p HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n' +
        'GET /g HTTP/1.1\r\nHost: x\r\n\r\n' +
        'MKCOL /dir/ HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n<x\r\n0\r\nX-T: 1\r\n\r\n' +
        'PUT /l HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nwxyz' +
        'PROPFIND /dir/ HTTP/1.1\r\nHost: x\r\nDepth: 1\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n<a/>\r\n0\r\n\r\n' +
        'MKCOL /bare/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
      4000,
    );
    expect(r.data.match(/HTTP\/1\.1 200 OK/g)).toHaveLength(6);
    const seen = up.seen.slice(before);
    expect(seen.map((s) => [s.line.split(' ')[0], s.framing, s.body.toString()])).toEqual([
      ['POST', 'chunked', 'abc'],
      ['GET', 'none', ''],
      ['MKCOL', 'chunked', '<x'],
      ['PUT', 'length', 'wxyz'],
      ['PROPFIND', 'chunked', '<a/>'],
      ['MKCOL', 'none', ''],
    ]);
    expect(seen[2]!.trailers).toEqual([['X-T', '1']]);
  });

  it('a client that leaves mid chunked upload: the upstream request is abandoned, once', async () => {
    let requests = 0;
    let closedUpstream = false;
    const server = net.createServer((s) => {
      let head = '';
      s.on('data', (d: Buffer) => {
        if (!head.includes('\r\n\r\n')) {
          head += d.toString('latin1');
          if (head.includes('\r\n\r\n')) requests++;
        }
      });
      s.on('close', () => (closedUpstream = true));
      s.on('error', () => {});
    });
    const port = await listenOn(server);
    cleanups.push(() => closeServer(server));
    const p = await startProxy(`http://127.0.0.1:${port}`);
    cleanups.push(() => p.close());
    const socket = net.connect(p.port, '127.0.0.1');
    socket.on('error', () => {});
    socket.write('PUT /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n');
    for (let i = 0; i < 100 && requests === 0; i++) await new Promise((r) => setTimeout(r, 20));
    socket.destroy();
    for (let i = 0; i < 100 && !closedUpstream; i++) await new Promise((r) => setTimeout(r, 20));
    expect(closedUpstream).toBe(true);
    await new Promise((r) => setTimeout(r, 200));
    expect(requests).toBe(1);
  });

  it('an upstream that is down: 502 problem+json for a chunked upload', async () => {
    const server = net.createServer();
    const port = await listenOn(server);
    await closeServer(server);
    const p = await startProxy(`http://127.0.0.1:${port}`);
    cleanups.push(() => p.close());
    const r = await rawExchange(p.port, 'PUT /d HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n');
    expect(r.data.startsWith('HTTP/1.1 502 Bad Gateway\r\n')).toBe(true);
    expect(r.data).toContain('application/problem+json');
    expect(r.data).toContain('FAULTLINE_UPSTREAM_UNREACHABLE');
  });
});

/** An upstream that reads heads only: it answers each request with `answer` and counts body bytes after the head. */
async function refusingUpstream(answer: string): Promise<{ url: string; bodyBytes: () => number; heads: string[] }> {
  let bodyBytes = 0;
  const heads: string[] = [];
  const server = net.createServer((s) => {
    let buf = '';
    let answered = false;
    s.on('error', () => {});
    s.on('data', (d: Buffer) => {
      if (answered) {
        bodyBytes += d.length;
        return;
      }
      buf += d.toString('latin1');
      const end = buf.indexOf('\r\n\r\n');
      if (end === -1) return;
      heads.push(buf.slice(0, end));
      bodyBytes += buf.length - end - 4;
      answered = true;
      s.end(answer);
    });
  });
  const port = await listenOn(server);
  cleanups.push(() => closeServer(server));
  return { url: `http://127.0.0.1:${port}`, bodyBytes: () => bodyBytes, heads };
}

const MINIO_FULL =
  '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>XMinioStorageFull</Code><Message>Storage backend has reached its minimum free drive threshold.</Message><Resource>/b/k</Resource><RequestId>17F00D</RequestId></Error>';
const REFUSAL = `HTTP/1.1 507 Insufficient Storage\r\nContent-Type: application/xml\r\nContent-Length: ${MINIO_FULL.length}\r\nConnection: close\r\n\r\n${MINIO_FULL}`;

describe('Expect: 100-continue reaches the upstream', () => {
  it("the upstream's 100 Continue is relayed, then its answer; the body goes up once", async () => {
    let got = '';
    let expectSeen: string | undefined;
    // Node's server answers 100 Continue itself to an Expect request.
    const server = http.createServer((req, res) => {
      expectSeen = req.headers.expect;
      req.on('data', (c: Buffer) => (got += c.toString()));
      req.on('end', () => res.writeHead(201, { 'content-length': 2 }).end('ok'));
    });
    const port = await listenOn(server);
    cleanups.push(() => closeServer(server));
    const p = await startProxy(`http://127.0.0.1:${port}`);
    cleanups.push(() => p.close());
    const socket = net.connect(p.port, '127.0.0.1');
    let data = '';
    socket.on('data', (c: Buffer) => {
      data += c.toString('latin1');
      if (data === 'HTTP/1.1 100 Continue\r\n\r\n') socket.write('hello');
    });
    const closed = new Promise<void>((r) => socket.on('close', () => r()));
    socket.write('PUT /e HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n');
    await closed;
    expect(data.startsWith('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\n')).toBe(true);
    expect(data.endsWith('\r\n\r\nok')).toBe(true);
    expect(expectSeen).toBe('100-continue');
    expect(got).toBe('hello');
  });

  it('an upstream that refuses before 100: the client gets its 507 and Connection: close, and uploads nothing', async () => {
    const up = await refusingUpstream(REFUSAL);
    const p = await startProxy(up.url);
    cleanups.push(() => p.close());
    const r = await rawExchange(
      p.port,
      'PUT /b/k HTTP/1.1\r\nHost: x\r\nContent-Length: 3000000\r\nExpect: 100-continue\r\n\r\n',
    );
    expect(r.data.startsWith('HTTP/1.1 507 Insufficient Storage\r\n')).toBe(true);
    expect(r.data).not.toContain('100 Continue');
    expect(r.data).toMatch(/\r\nConnection: close\r\n/i);
    expect(r.data.endsWith(MINIO_FULL)).toBe(true);
    expect(up.heads[0]).toMatch(/\r\nExpect: 100-continue(\r\n|$)/);
    expect(up.bodyBytes()).toBe(0);
  });

  it.skipIf(locate(CURL) === null)("curl -T of 2 MiB: the upstream's early 507 reaches curl, no body byte goes up", async () => {
    const up = await refusingUpstream(REFUSAL);
    const p = await startProxy(up.url);
    cleanups.push(() => p.close());
    const file = join(mkdtempSync(join(tmpdir(), 'faultline-expect-')), 'blob.bin');
    writeFileSync(file, Buffer.alloc(2 * 1024 * 1024, 'x'));
    const out = await new Promise<{ code: number; stdout: string }>((resolve) =>
      execFile('curl', ['-sS', '-o', '/dev/null', '-w', '%{http_code}', '-T', file, `${p.url}/b/k`], (err, stdout) =>
        resolve({ code: err === null ? 0 : Number((err as NodeJS.ErrnoException).code ?? 1), stdout }),
      ),
    );
    expect(out).toEqual({ code: 0, stdout: '507' });
    expect(up.heads[0]).toMatch(/\r\nExpect: 100-continue(\r\n|$)/);
    expect(up.bodyBytes()).toBe(0);
  });

  it('the AWS S3 SDK (Expect on bodies from 2 MiB): a full MinIO refuses before the upload, and a working one stores it', async () => {
    const full = await refusingUpstream(REFUSAL);
    const p = await startProxy(full.url);
    cleanups.push(() => p.close());
    const client = (endpoint: string): S3Client =>
      new S3Client({
        endpoint,
        region: 'us-east-1',
        forcePathStyle: true,
        requestChecksumCalculation: 'WHEN_REQUIRED',
        credentials: { accessKeyId: 'AKIAFAULTLINE', secretAccessKey: 'not-a-secret' },
        maxAttempts: 1,
      });
    const s3 = client(p.url);
    cleanups.push(async () => s3.destroy());
    const body = Buffer.alloc(3 * 1024 * 1024, 'x');
    const err = await s3.send(new PutObjectCommand({ Bucket: 'b', Key: 'k', Body: body })).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(S3ServiceException);
    expect((err as S3ServiceException).name).toBe('XMinioStorageFull');
    expect((err as S3ServiceException).$metadata.httpStatusCode).toBe(507);
    expect(full.bodyBytes()).toBe(0);

    let stored = 0;
    const server = http.createServer((req, res) => {
      req.on('data', (c: Buffer) => (stored += c.length));
      req.on('end', () => res.writeHead(200, { etag: '"0123456789abcdef0123456789abcdef"', 'content-length': 0 }).end());
    });
    const port = await listenOn(server);
    cleanups.push(() => closeServer(server));
    const ok = await startProxy(`http://127.0.0.1:${port}`);
    cleanups.push(() => ok.close());
    const s3ok = client(ok.url);
    cleanups.push(async () => s3ok.destroy());
    await s3ok.send(new PutObjectCommand({ Bucket: 'b', Key: 'k', Body: body }));
    expect(stored).toBe(body.length);
  });

  it("a fault answered before forwarding still goes out instead of 100 Continue; a held request gets the upstream's 100 later", async () => {
    let got = 0;
    const server = http.createServer((req, res) => {
      req.on('data', (c: Buffer) => (got += c.length));
      req.on('end', () => res.writeHead(200, { 'content-length': 2 }).end('ok'));
    });
    const port = await listenOn(server);
    cleanups.push(() => closeServer(server));
    const scenario = `
version: 1
rules:
  - name: full
    match: { method: PUT, path: /full/** }
    fault: { status: 507 }
  - name: slow
    match: { method: PUT, path: /slow/** }
    fault: { delay: 300ms }
`;
    const p = await startProxy(`http://127.0.0.1:${port}`, { scenario });
    cleanups.push(() => p.close());
    const refused = await rawExchange(
      p.port,
      'PUT /full/a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n',
    );
    expect(refused.data.startsWith('HTTP/1.1 507 Insufficient Storage\r\n')).toBe(true);

    const socket = net.connect(p.port, '127.0.0.1');
    let data = '';
    const started = Date.now();
    let continuedAfter = -1;
    socket.on('data', (c: Buffer) => {
      data += c.toString('latin1');
      if (continuedAfter < 0 && data.startsWith('HTTP/1.1 100 Continue\r\n\r\n')) {
        continuedAfter = Date.now() - started;
        socket.write('hello');
      }
    });
    const closed = new Promise<void>((r) => socket.on('close', () => r()));
    socket.write('PUT /slow/a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n');
    await closed;
    expect(data).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 OK\r\n/);
    expect(continuedAfter).toBeGreaterThanOrEqual(250);
    expect(got).toBe(5);
  });

  it('a quota rule crossing its limit mid-upload on an Expect request answers 507 with the quota details', async () => {
    const server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(200, { 'content-length': 2 }).end('ok'));
    });
    const port = await listenOn(server);
    cleanups.push(() => closeServer(server));
    const scenario = `
version: 1
rules:
  - name: tenant-quota
    match: { method: PUT }
    when: { quota: { key: global, measure: bytes, limit: 1MiB } }
    fault: { status: 507 }
`;
    const p = await startProxy(`http://127.0.0.1:${port}`, { scenario });
    cleanups.push(() => p.close());
    const socket = net.connect(p.port, '127.0.0.1');
    let data = '';
    socket.on('error', () => {});
    socket.on('data', (c: Buffer) => {
      data += c.toString('latin1');
      if (data === 'HTTP/1.1 100 Continue\r\n\r\n') {
        const chunk = Buffer.alloc(64 * 1024, 'x').toString('latin1');
        const head = chunk.length.toString(16);
        for (let i = 0; i < 32; i++) socket.write(`${head}\r\n${chunk}\r\n`);
      }
    });
    const closed = new Promise<void>((r) => socket.on('close', () => r()));
    socket.write('PUT /q HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n');
    await closed;
    expect(data.startsWith('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 507 Insufficient Storage\r\n')).toBe(true);
    expect(data).toContain('FAULTLINE_QUOTA_EXCEEDED');
  });
});
