import http from 'node:http';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { request } from '../helpers/http.js';
import { startProxy, type Running } from '../helpers/faultline.js';
import { countingUpstream } from '../helpers/upstream.js';
import { cleanupAfterEach } from '../helpers/cleanup.js';

const cleanups = cleanupAfterEach();

async function setup(
  quota: string,
  options: { now?: () => number; fault?: string; match?: string } = {},
): Promise<{ proxy: Running; up: Awaited<ReturnType<typeof countingUpstream>> }> {
  const up = await countingUpstream();
  cleanups.push(() => up.close());
  const scenario = `
version: 1
rules:
  - name: tenant-quota
    match: ${options.match ?? '{ method: [PUT, POST, DELETE], path: /upload/** }'}
    when:
      quota: ${quota}
    fault: ${options.fault ?? '{ status: 507, retryAfter: 3600 }'}
`;
  const proxy = await startProxy(up.url, { scenario, ...(options.now ? { now: options.now } : {}) });
  cleanups.push(() => proxy.close());
  return { proxy, up };
}

function put(proxy: Running, path: string, tenant: string, size: number, method = 'PUT'): ReturnType<typeof request> {
  return request(`${proxy.url}${path}`, { method, headers: { 'x-tenant-id': tenant }, body: Buffer.alloc(size, 0x61) });
}

describe('a per-tenant storage quota', () => {
  it('three tenants interleave uploads until each hits its limit at exactly the right byte', async () => {
    const { proxy, up } = await setup('{ key: "header:x-tenant-id", measure: bytes, limit: 10KiB }');
    const tenants = ['alice', 'bob', 'carol'];
    // 3 x 3000 bytes each, interleaved: 9000 of 10240 used per tenant.
    for (let i = 0; i < 3; i++)
      for (const t of tenants) expect((await put(proxy, `/upload/${t}/${i}`, t, 3000)).status).toBe(201);
    for (const t of tenants) {
      const over = await put(proxy, `/upload/${t}/over`, t, 1241);
      expect(over.status).toBe(507);
      expect(over.headers['retry-after']).toBe('3600');
      expect(over.headers['x-faultline-fault']).toBe('tenant-quota');
      const body = JSON.parse(over.text) as { code: string; detail: string; quota: Record<string, unknown> };
      expect(body.code).toBe('FAULTLINE_QUOTA_EXCEEDED');
      expect(body.detail).toBe(`quota exceeded for x-tenant-id=${t}: 9000 of 10240 bytes used, 1241 more requested`);
      expect(body.quota).toMatchObject({ key: t, limit: 10240, used: 9000, requested: 1241 });
    }
    for (const t of tenants) expect((await put(proxy, `/upload/${t}/exact`, t, 1240)).status).toBe(201);
    for (const t of tenants) expect((await put(proxy, `/upload/${t}/one-more`, t, 1)).status).toBe(507);
    // The upstream never saw a request over the limit.
    expect(up.seen.filter((s) => s.url.includes('/over') || s.url.includes('/one-more'))).toHaveLength(0);
    const entries = await proxy.app.quotaStore.entries(() => 0);
    expect(entries.map((e) => [e.key, e.used]).sort()).toEqual([
      ['alice', 10240],
      ['bob', 10240],
      ['carol', 10240],
    ]);
  });

  it('a chunked upload crossing the limit mid-stream is aborted upstream; the client sees 507', async () => {
    const { proxy, up } = await setup('{ key: "header:x-tenant-id", measure: bytes, limit: 100KiB }');
    const outcome = await new Promise<{ status: number; text: string } | string>((resolve) => {
      const req = http.request(
        `${proxy.url}/upload/dave/stream`,
        { method: 'PUT', agent: false, headers: { 'x-tenant-id': 'dave', 'transfer-encoding': 'chunked' } },
        (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
          res.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
        },
      );
      req.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
      let sent = 0;
      const pump = (): void => {
        while (sent < 300 * 1024) {
          sent += 16 * 1024;
          if (!req.write(Buffer.alloc(16 * 1024, 1))) {
            req.once('drain', pump);
            return;
          }
        }
        req.end();
      };
      pump();
    });
    if (typeof outcome === 'string') expect(['ECONNRESET', 'EPIPE']).toContain(outcome);
    else {
      expect(outcome.status).toBe(507);
      expect(JSON.parse(outcome.text)).toMatchObject({ code: 'FAULTLINE_QUOTA_EXCEEDED' });
    }
    await new Promise((r) => setTimeout(r, 100));
    const seen = up.seen.find((s) => s.url === '/upload/dave/stream')!;
    expect(seen).toBeDefined();
    expect(seen.completedAt).toBeNull();
    expect(seen.aborted).toBe(true);
    // Nothing was committed for the aborted upload.
    const entries = await proxy.app.quotaStore.entries(() => 0);
    expect(entries.find((e) => e.key === 'dave')).toMatchObject({ used: 0, pending: 0 });
  });

  it('Expect: 100-continue over the limit is answered 507 before any body is sent', async () => {
    const { proxy, up } = await setup('{ key: "header:x-tenant-id", measure: bytes, limit: 1KiB }');
    const socket = net.connect(proxy.port, '127.0.0.1');
    const text = await new Promise<string>((resolve) => {
      let data = '';
      socket.on('data', (c) => {
        data += c.toString();
        if (data.includes('}')) resolve(data);
      });
      socket.on('close', () => resolve(data));
      socket.write(
        'PUT /upload/erin/big HTTP/1.1\r\nHost: x\r\nX-Tenant-Id: erin\r\nContent-Length: 2048\r\nExpect: 100-continue\r\n\r\n',
      );
    });
    socket.destroy();
    expect(text.startsWith('HTTP/1.1 507 ')).toBe(true);
    expect(text).not.toContain('100 Continue');
    expect(text).toContain('0 of 1024 bytes used, 2048 more requested');
    expect(up.seen).toHaveLength(0);
  });

  it('track: objects — an overwrite replaces the object size and a DELETE frees it', async () => {
    const { proxy } = await setup('{ key: "header:x-tenant-id", measure: bytes, limit: 1000, track: objects }');
    expect((await put(proxy, '/upload/f/a', 'f', 600)).status).toBe(201);
    expect((await put(proxy, '/upload/f/b', 'f', 500)).status).toBe(507); // 600 + 500 > 1000
    expect((await put(proxy, '/upload/f/a', 'f', 900)).status).toBe(201); // overwrite: needs only 300 more
    expect((await put(proxy, '/upload/f/b', 'f', 200)).status).toBe(507); // 900 + 200 > 1000
    expect((await request(`${proxy.url}/upload/f/a`, { method: 'DELETE', headers: { 'x-tenant-id': 'f' } })).status).toBe(204);
    expect((await put(proxy, '/upload/f/b', 'f', 1000)).status).toBe(201);
    const entries = await proxy.app.quotaStore.entries(() => 0);
    expect(entries.find((e) => e.key === 'f')).toMatchObject({ used: 1000, objects: 1 });
  });

  it('an upstream failure stores nothing, so it is not counted', async () => {
    const { proxy } = await setup('{ key: "header:x-tenant-id", measure: bytes, limit: 1000 }', { match: '{ method: PUT }' });
    expect((await put(proxy, '/status/500', 'g', 800)).status).toBe(500);
    expect((await put(proxy, '/status/507', 'g', 800)).status).toBe(507); // the upstream's own 507: not ours
    expect((await put(proxy, '/upload/g/ok', 'g', 800)).status).toBe(201);
    const entries = await proxy.app.quotaStore.entries(() => 0);
    expect(entries.find((e) => e.key === 'g')).toMatchObject({ used: 800, pending: 0 });
  });

  it('countOn: always counts every request, whatever the upstream answers', async () => {
    const { proxy } = await setup('{ key: "header:x-tenant-id", measure: bytes, limit: 1000, countOn: always }', {
      match: '{ method: PUT }',
    });
    expect((await put(proxy, '/status/500', 'h', 800)).status).toBe(500);
    expect((await put(proxy, '/upload/h/x', 'h', 300)).status).toBe(507);
  });

  it('measure: requests counts requests per key', async () => {
    const { proxy } = await setup('{ key: "path:2", measure: requests, limit: 2 }');
    expect((await put(proxy, '/upload/k1/a', 'x', 10)).status).toBe(201);
    expect((await put(proxy, '/upload/k2/a', 'x', 10)).status).toBe(201);
    expect((await put(proxy, '/upload/k1/b', 'x', 10)).status).toBe(201);
    const third = await put(proxy, '/upload/k1/c', 'x', 10);
    expect(third.status).toBe(507);
    expect(JSON.parse(third.text)).toMatchObject({
      detail: 'quota exceeded for path:2=k1: 2 of 2 requests used, 1 more requested',
    });
  });

  it('period: usage starts again each period (injected clock)', async () => {
    let now = 1_000_000_000_000;
    const { proxy } = await setup('{ key: global, measure: bytes, limit: 1000, period: 1h }', { now: () => now });
    expect((await put(proxy, '/upload/p/a', 'p', 900)).status).toBe(201);
    expect((await put(proxy, '/upload/p/b', 'p', 200)).status).toBe(507);
    now += 3_600_000;
    expect((await put(proxy, '/upload/p/c', 'p', 900)).status).toBe(201);
  });

  it('concurrent uploads racing for the last bytes: exactly what fits is admitted', async () => {
    const { proxy } = await setup('{ key: "header:x-tenant-id", measure: bytes, limit: 10000 }');
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => put(proxy, `/upload/race/${i}`, 'race', 3000)));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(3);
    expect(statuses.filter((s) => s === 507)).toHaveLength(7);
  });

  it('track: objects — a DELETE the upstream refuses frees nothing (regression)', async () => {
    const failing = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(req.method === 'DELETE' ? 500 : 201);
        res.end();
      });
    });
    const port = await new Promise<number>((r) =>
      failing.listen(0, '127.0.0.1', () => r((failing.address() as net.AddressInfo).port)),
    );
    cleanups.push(() => new Promise<void>((r) => failing.close(() => r())));
    const proxy = await startProxy(`http://127.0.0.1:${port}`, {
      scenario: `version: 1
rules:
  - name: q
    match: { method: [PUT, DELETE] }
    when: { quota: { key: global, measure: bytes, limit: 1000, track: objects } }
    fault: { status: 507 }
`,
    });
    cleanups.push(() => proxy.close());
    expect((await request(`${proxy.url}/o/a`, { method: 'PUT', body: Buffer.alloc(700) })).status).toBe(201);
    expect((await request(`${proxy.url}/o/a`, { method: 'DELETE' })).status).toBe(500);
    expect((await request(`${proxy.url}/o/b`, { method: 'PUT', body: Buffer.alloc(400) })).status).toBe(507);
  });
});

/** A chunked PUT of 300 KiB in 16 KiB pieces; resolves with what the client saw and when. */
function chunkedPut(url: string, tenant: string): Promise<{ outcome: { status: number; text: string } | string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    let settled = false;
    const done = (outcome: { status: number; text: string } | string): void => {
      if (settled) return;
      settled = true;
      resolve({ outcome, ms: Date.now() - started });
    };
    const req = http.request(
      url,
      { method: 'PUT', agent: false, headers: { 'x-tenant-id': tenant, 'transfer-encoding': 'chunked' } },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => done({ status: res.statusCode ?? 0, text }));
        res.on('error', (e: NodeJS.ErrnoException) => done(e.code ?? 'error'));
      },
    );
    req.on('error', (e: NodeJS.ErrnoException) => done(e.code ?? e.message));
    let sent = 0;
    const pump = (): void => {
      while (sent < 300 * 1024 && !settled) {
        sent += 16 * 1024;
        if (!req.write(Buffer.alloc(16 * 1024, 1))) {
          req.once('drain', pump);
          return;
        }
      }
      if (!settled) req.end();
    };
    pump();
  });
}

describe('every fault kind on a quota rule crossing its limit mid-upload answers within a second', () => {
  const QUOTA = '{ key: "header:x-tenant-id", measure: bytes, limit: 100KiB }';
  const cases: [string, string, (o: { status: number; text: string } | string) => void][] = [
    ['status', '{ status: 507, retryAfter: 60 }', quotaAnswer(507)],
    ['status after a delay', '{ delay: 200ms, status: 507 }', quotaAnswer(507)],
    ['replaceStatus', '{ replaceStatus: 503 }', quotaAnswer(503)],
    ['a pure delay', '{ delay: 200ms }', quotaAnswer(507)],
    ['truncate', '{ truncate: 1KiB }', quotaAnswer(507)],
    ['throttle', '{ throttle: 10KiB/s }', quotaAnswer(507)],
    ['reset', '{ reset: true }', (o) => expect(['ECONNRESET', 'EPIPE']).toContain(o)],
    ['reset after bytes', '{ reset: { afterBytes: 10 } }', (o) => expect(['ECONNRESET', 'EPIPE']).toContain(o)],
    ['hang with a duration', '{ hang: 300ms }', (o) => expect(['ECONNRESET', 'EPIPE', 'socket hang up']).toContain(o)],
  ];
  for (const [name, fault, check] of cases) {
    it(name, async () => {
      const { proxy, up } = await setup(QUOTA, { fault });
      const { outcome, ms } = await chunkedPut(`${proxy.url}/upload/q/stream`, 'q');
      check(outcome);
      expect(ms).toBeLessThan(1500);
      await new Promise((r) => setTimeout(r, 100));
      const seen = up.seen.find((s) => s.url === '/upload/q/stream')!;
      expect(seen.completedAt).toBeNull();
      const entries = await proxy.app.quotaStore.entries(() => 0);
      expect(entries.find((e) => e.key === 'q')).toMatchObject({ used: 0, pending: 0 });
    });
  }

  it('over the limit up front with a delay: the 507 keeps its code and quota details', async () => {
    const { proxy, up } = await setup('{ key: "header:x-tenant-id", measure: bytes, limit: 1KiB }', {
      fault: '{ delay: 100ms, status: 507 }',
    });
    const r = await put(proxy, '/upload/d/x', 'd', 2048);
    expect(r.status).toBe(507);
    expect(JSON.parse(r.text)).toMatchObject({ code: 'FAULTLINE_QUOTA_EXCEEDED', quota: { key: 'd', requested: 2048 } });
    expect(up.seen).toHaveLength(0);
  });
});

function quotaAnswer(status: number): (o: { status: number; text: string } | string) => void {
  return (o) => {
    expect(typeof o).toBe('object');
    const r = o as { status: number; text: string };
    expect(r.status).toBe(status);
    expect(JSON.parse(r.text)).toMatchObject({ code: 'FAULTLINE_QUOTA_EXCEEDED', quota: { key: 'q', limit: 102400 } });
  };
}
