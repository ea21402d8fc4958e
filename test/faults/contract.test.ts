import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request, type Reply } from '../helpers/http.js';
import { startProxy, type Running } from '../helpers/faultline.js';
import { countingUpstream } from '../helpers/upstream.js';
import { FAULT_KIND_NAMES } from '../../src/faults/registry.js';

/*
 * The shared contract every fault kind is held to, over real sockets: what the client sees
 * (status, headers, body bytes, a reset, a premature close, timing), whether the upstream saw the
 * request, and that nothing (socket, timer) is left behind when the client gives up mid-fault.
 */

const SCENARIO = `
version: 1
seed: 7
rules:
  - name: s507
    match: { path: /s507/** }
    fault: { status: 507 }
  - name: s503-custom
    match: { path: /custom }
    fault:
      status: 503
      retryAfter: 30
      headers: { x-extra: yes }
      body: "unavailable {method} {path} id={requestId}"
  - name: s204
    match: { path: /s204 }
    fault: { status: 204 }
  - name: json-body
    match: { path: /jsonbody }
    fault: { status: 500, body: { error: storage, id: "{requestId}" } }
  - name: delay-fixed
    match: { path: /delay/** }
    fault: { delay: 300ms }
  - name: delay-range
    match: { path: /range/** }
    fault: { delay: { min: 100ms, max: 200ms } }
  - name: delay-then-507
    match: { path: /slow507 }
    fault: { delay: 200ms, status: 507 }
  - name: delay-response
    match: { path: /upload/late/** }
    fault: { delay: 300ms, phase: response }
  - name: reset-now
    match: { path: /reset }
    fault: { reset: true }
  - name: reset-later
    match: { path: /bytes/100000 }
    fault: { reset: { afterBytes: 1000 } }
  - name: hang-short
    match: { path: /hang-short }
    fault: { hang: 300ms }
  - name: hang-forever
    match: { path: /hang }
    fault: { hang: true }
  - name: throttle-down
    match: { path: /bytes/204800 }
    fault: { throttle: 100KiB/s }
  - name: throttle-up
    match: { path: /upload/slow/** }
    fault: { throttle: { request: 100KiB/s } }
  - name: truncate
    match: { path: /bytes/10000 }
    fault: { truncate: 1KiB }
  - name: replace
    match: { path: /upload/replaced/** }
    fault: { replaceStatus: 507, retryAfter: 60 }
  - name: grpc-now
    match: { path: /grpc/** }
    fault: { grpc: { status: UNAVAILABLE, message: "down for 5% of calls" } }
  - name: grpc-slow
    match: { path: /grpc-slow/** }
    fault: { delay: 300ms, grpc: RESOURCE_EXHAUSTED }
  - name: one-at-a-time
    match: { path: /limited }
    maxActive: 1
    fault: { delay: 400ms, status: 503 }
`;

let up: Awaited<ReturnType<typeof countingUpstream>>;
let proxy: Running;

beforeAll(async () => {
  up = await countingUpstream();
  proxy = await startProxy(up.url, { scenario: SCENARIO });
});
afterAll(async () => {
  await proxy.close();
  await up.close();
});

function seen(path: string): number {
  return up.seen.filter((s) => s.url === path).length;
}

function errorOf(p: Promise<unknown>): Promise<NodeJS.ErrnoException | null> {
  return p.then(
    () => null,
    (e: unknown) => e as NodeJS.ErrnoException,
  );
}

/** Wait until the proxy holds no client connection (so no fault kept one), bounded. */
async function proxyIdle(): Promise<number> {
  for (let i = 0; i < 100; i++) {
    const n = await proxy.app.connections();
    if (n === 0) return 0;
    await new Promise((r) => setTimeout(r, 20));
  }
  return proxy.app.connections();
}

function timers(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
}

/** Start a request, give up on it after `ms`, and report what the upstream and the proxy kept. */
async function abortAfter(path: string, ms: number, method = 'GET'): Promise<void> {
  const req = http.request(`${proxy.url}${path}`, { method, agent: false });
  req.on('error', () => {});
  req.on('response', (res) => res.resume());
  req.end();
  await new Promise((r) => setTimeout(r, ms));
  req.destroy();
}

describe('status', () => {
  it('answers 507 as RFC 9457 problem+json without contacting the upstream', async () => {
    const r = await request(`${proxy.url}/s507/a`, { method: 'PUT', body: 'x', headers: { 'x-request-id': 'req-1' } });
    expect(r.status).toBe(507);
    expect(r.headers['content-type']).toBe('application/problem+json');
    expect(r.headers['cache-control']).toBe('no-store');
    expect(r.headers['x-request-id']).toBe('req-1');
    expect(r.headers['x-faultline-fault']).toBe('s507');
    expect(r.headers['content-length']).toBe(String(r.body.length));
    const body = JSON.parse(r.text) as Record<string, unknown>;
    expect(body).toMatchObject({
      type: 'about:blank',
      title: 'Insufficient Storage',
      status: 507,
      instance: '/s507/a',
      requestId: 'req-1',
    });
    expect(typeof body.detail).toBe('string');
    expect(r.text).not.toMatch(/\bat .*\.(js|ts):\d+/);
    expect(seen('/s507/a')).toBe(0);
  });

  it('renders a text body template, headers and Retry-After', async () => {
    const r = await request(`${proxy.url}/custom`, { method: 'POST', headers: { 'x-request-id': 'rid' } });
    expect(r.status).toBe(503);
    expect(r.headers['retry-after']).toBe('30');
    expect(r.headers['x-extra']).toBe('yes');
    expect(r.headers['content-type']).toMatch(/^text\/plain/);
    expect(r.text).toBe('unavailable POST /custom id=rid');
  });

  it('sends an object body as JSON with placeholders filled', async () => {
    const r = await request(`${proxy.url}/jsonbody`, { headers: { 'x-request-id': 'j1' } });
    expect(r.status).toBe(500);
    expect(r.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(r.text)).toEqual({ error: 'storage', id: 'j1' });
  });

  it('never sends a body with 204, nor to HEAD', async () => {
    const r204 = await request(`${proxy.url}/s204`);
    expect(r204.status).toBe(204);
    expect(r204.body.length).toBe(0);
    const head = await request(`${proxy.url}/s507/h`, { method: 'HEAD' });
    expect(head.status).toBe(507);
    expect(head.body.length).toBe(0);
  });
});

describe('delay', () => {
  it('waits, then forwards', async () => {
    const t = Date.now();
    const r = await request(`${proxy.url}/delay/0`);
    expect(r.status).toBe(200);
    expect(Date.now() - t).toBeGreaterThanOrEqual(290);
    expect(seen('/delay/0')).toBe(1);
  });

  it('draws a delay within [min, max]', async () => {
    const t = Date.now();
    await request(`${proxy.url}/range/x`);
    const took = Date.now() - t;
    expect(took).toBeGreaterThanOrEqual(95);
    expect(took).toBeLessThan(1000);
  });

  it('combined with a status: waits, then answers, never forwarding', async () => {
    const t = Date.now();
    const r = await request(`${proxy.url}/slow507`, { method: 'PUT' });
    expect(r.status).toBe(507);
    expect(Date.now() - t).toBeGreaterThanOrEqual(190);
    expect(seen('/slow507')).toBe(0);
  });

  it('phase: response holds the answer after the upstream did the work', async () => {
    const t = Date.now();
    const r = await request(`${proxy.url}/upload/late/a`, { method: 'PUT', body: 'abc' });
    const took = Date.now() - t;
    expect(r.status).toBe(201);
    expect(took).toBeGreaterThanOrEqual(290);
    const entry = up.seen.find((s) => s.url === '/upload/late/a')!;
    expect(entry.completedAt! - t).toBeLessThan(took - 200);
  });

  it('a client that leaves during the delay: nothing is forwarded, nothing left behind', async () => {
    const before = timers();
    await abortAfter('/delay/abort', 100);
    await new Promise((r) => setTimeout(r, 400));
    expect(seen('/delay/abort')).toBe(0);
    expect(await proxyIdle()).toBe(0);
    expect(timers()).toBeLessThanOrEqual(before);
  });
});

describe('reset', () => {
  it('resets the connection (ECONNRESET) without forwarding', async () => {
    const err = await errorOf(request(`${proxy.url}/reset`));
    expect(err?.code).toBe('ECONNRESET');
    expect(seen('/reset')).toBe(0);
  });

  it('afterBytes: relays that many body bytes, then resets', async () => {
    let received = 0;
    const err = await new Promise<NodeJS.ErrnoException | null>((resolve) => {
      const req = http.get(`${proxy.url}/bytes/100000`, { agent: false }, (res) => {
        res.on('data', (c: Buffer) => (received += c.length));
        res.on('end', () => resolve(null));
        res.on('error', resolve);
      });
      req.on('error', resolve);
    });
    expect(err?.code).toBe('ECONNRESET');
    expect(received).toBe(1000);
    expect(seen('/bytes/100000')).toBe(1);
  });
});

describe('hang', () => {
  it('hang: 300ms closes the connection with no answer after the duration', async () => {
    const t = Date.now();
    const err = await errorOf(request(`${proxy.url}/hang-short`));
    expect(err?.message).toMatch(/socket hang up/);
    expect(Date.now() - t).toBeGreaterThanOrEqual(290);
    expect(seen('/hang-short')).toBe(0);
  });

  it('hang: true never answers; the socket and timers are released when the client gives up', async () => {
    const before = timers();
    const err = await errorOf(request(`${proxy.url}/hang`, { timeoutMs: 300 }));
    expect(err?.code).toBe('CLIENT_TIMEOUT');
    expect(seen('/hang')).toBe(0);
    expect(await proxyIdle()).toBe(0);
    expect(timers()).toBeLessThanOrEqual(before);
  });
});

describe('throttle', () => {
  it('relays the response at the configured rate (±20%)', async () => {
    const t = Date.now();
    const r = await request(`${proxy.url}/bytes/204800`);
    const seconds = (Date.now() - t) / 1000;
    expect(r.body.length).toBe(204800);
    const rate = 204800 / seconds;
    expect(rate).toBeGreaterThan(100 * 1024 * 0.8);
    expect(rate).toBeLessThan(100 * 1024 * 1.2);
  });

  it('throttles the upload when asked (±20%)', async () => {
    const t = Date.now();
    const r = await request(`${proxy.url}/upload/slow/x`, { method: 'PUT', body: Buffer.alloc(153600, 1) });
    const seconds = (Date.now() - t) / 1000;
    expect(r.status).toBe(201);
    expect(JSON.parse(r.text)).toMatchObject({ bytes: 153600 });
    const rate = 153600 / seconds;
    expect(rate).toBeGreaterThan(100 * 1024 * 0.8);
    expect(rate).toBeLessThan(100 * 1024 * 1.2);
  });

  it('a client that leaves mid-throttle releases the upstream connection and timers', async () => {
    const before = timers();
    await abortAfter('/bytes/204800', 300);
    expect(await proxyIdle()).toBe(0);
    await new Promise((r) => setTimeout(r, 100));
    expect(timers()).toBeLessThanOrEqual(before);
    const entry = up.seen.filter((s) => s.url === '/bytes/204800').pop()!;
    expect(entry).toBeDefined();
  });
});

describe('truncate', () => {
  it('sends the first N body bytes, then closes: the client sees a premature end', async () => {
    let received = 0;
    const outcome = await new Promise<string>((resolve) => {
      const req = http.get(`${proxy.url}/bytes/10000`, { agent: false }, (res) => {
        expect(res.headers['content-length']).toBe('10000');
        res.on('data', (c: Buffer) => (received += c.length));
        res.on('end', () => resolve('complete'));
        res.on('aborted', () => resolve('aborted'));
        res.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
      });
      req.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
    });
    expect(outcome).not.toBe('complete');
    expect(received).toBe(1024);
  });
});

describe('replaceStatus', () => {
  it('forwards (the upstream stores), then answers with the configured status', async () => {
    const r: Reply = await request(`${proxy.url}/upload/replaced/a`, { method: 'PUT', body: 'data' });
    expect(r.status).toBe(507);
    expect(r.headers['retry-after']).toBe('60');
    expect(r.headers['content-type']).toBe('application/problem+json');
    expect(JSON.parse(r.text)).toMatchObject({ status: 507 });
    const entry = up.seen.find((s) => s.url === '/upload/replaced/a')!;
    expect(entry.completedAt).not.toBeNull();
  });
});

describe('grpc', () => {
  it('answers a gRPC status as a gRPC server does (HTTP 200, the status in the head, no body) without contacting the upstream', async () => {
    const r = await request(`${proxy.url}/grpc/pkg.Svc/Get`, {
      method: 'POST',
      body: Buffer.from([0, 0, 0, 0, 1, 7]),
      headers: { 'content-type': 'application/grpc+proto', 'x-request-id': 'req-g' },
    });
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('application/grpc+proto');
    expect(r.headers['grpc-status']).toBe('14');
    expect(r.headers['grpc-message']).toBe('down for 5%25 of calls');
    expect(r.headers['x-request-id']).toBe('req-g');
    expect(r.headers['x-faultline-fault']).toBe('grpc-now');
    expect(r.headers['content-length']).toBe('0');
    expect(r.body.length).toBe(0);
    expect(seen('/grpc/pkg.Svc/Get')).toBe(0);
  });

  it('after a delay, with no message when none is given', async () => {
    const started = performance.now();
    const r = await request(`${proxy.url}/grpc-slow/pkg.Svc/Get`, {
      method: 'POST',
      headers: { 'content-type': 'application/grpc' },
    });
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    expect([r.status, r.headers['grpc-status'], r.headers['grpc-message']]).toEqual([200, '8', undefined]);
    expect(seen('/grpc-slow/pkg.Svc/Get')).toBe(0);
  });
});

describe('maxActive', () => {
  it('beyond N active faults of a rule, requests pass through', async () => {
    const first = request(`${proxy.url}/limited`);
    await new Promise((r) => setTimeout(r, 100));
    const second = await request(`${proxy.url}/limited`);
    expect(second.status).toBe(404); // passed through to the demo upstream
    expect((await first).status).toBe(503);
  });
});

describe('every fault kind', () => {
  it('is covered by this contract suite', () => {
    for (const kind of FAULT_KIND_NAMES) expect(SCENARIO).toMatch(new RegExp(`\\{ ${kind}: `));
  });

  it('a client that leaves mid-fault leaves no socket and no timer behind', async () => {
    const before = timers();
    const paths: [string, string][] = [
      ['/s507/leave', 'GET'],
      ['/delay/leave', 'GET'],
      ['/upload/late/leave', 'PUT'],
      ['/hang', 'GET'],
      ['/hang-short', 'GET'],
      ['/bytes/204800', 'GET'],
      ['/bytes/100000', 'GET'],
      ['/bytes/10000', 'GET'],
      ['/upload/replaced/leave', 'PUT'],
      ['/upload/slow/leave', 'PUT'],
      ['/grpc-slow/leave', 'POST'],
    ];
    for (const [path, method] of paths) await abortAfter(path, 50, method);
    expect(await proxyIdle()).toBe(0);
    await new Promise((r) => setTimeout(r, 400));
    expect(timers()).toBeLessThanOrEqual(before);
  });
});
