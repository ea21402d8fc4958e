import http from 'node:http';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { closeServer, listenOn, request } from '../helpers/http.js';
import { startProxy, type Running } from '../helpers/faultline.js';
import { cleanupAfterEach } from '../helpers/cleanup.js';
import { scrape } from '../metrics/scrape.js';

const cleanups = cleanupAfterEach();

/** An upstream counting requests per path; `/slow` answers after 1 s, anything else at once. */
async function countingSlowUpstream(): Promise<{ url: string; count: (path: string) => number }> {
  const counts = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const path = req.url ?? '';
    counts.set(path, (counts.get(path) ?? 0) + 1);
    req.resume();
    if (path.startsWith('/slow')) {
      const timer = setTimeout(() => res.end('late'), 1000);
      res.on('close', () => clearTimeout(timer));
    } else res.end('ok');
  });
  const port = await listenOn(server);
  cleanups.push(() => closeServer(server));
  return { url: `http://127.0.0.1:${port}`, count: (path) => counts.get(path) ?? 0 };
}

async function proxyFor(url: string, scenario?: string): Promise<Running> {
  const proxy = await startProxy(url, scenario === undefined ? {} : { scenario });
  cleanups.push(() => proxy.close());
  return proxy;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('a client that leaves', () => {
  it('aborts the upstream request once: no second request on a reused keep-alive socket', async () => {
    const up = await countingSlowUpstream();
    const proxy = await proxyFor(up.url);
    // Warm the proxy's upstream pool so the next request rides a reused socket.
    for (let i = 0; i < 3; i++) expect((await request(`${proxy.url}/warm`)).status).toBe(200);
    for (let i = 0; i < 3; i++) {
      const req = http.request(`${proxy.url}/slow/${i}`, { agent: false });
      req.on('error', () => {});
      req.end();
      await sleep(150);
      req.destroy();
    }
    await sleep(400);
    for (let i = 0; i < 3; i++) expect(up.count(`/slow/${i}`)).toBe(1);
  });
});

/** Send raw bytes and keep the socket open; returns what arrived so far on demand. */
function openRaw(port: number, payload: string): { socket: net.Socket; data: () => string; closed: Promise<void> } {
  const socket = net.connect(port, '127.0.0.1');
  let data = '';
  socket.on('data', (c: Buffer) => (data += c.toString('latin1')));
  socket.on('error', () => {});
  const closed = new Promise<void>((r) => socket.on('close', () => r()));
  socket.write(payload);
  return { socket, data: () => data, closed };
}

async function inFlight(admin: string): Promise<number> {
  return (await scrape(admin)).value('faultline_in_flight_requests') ?? -1;
}

async function requestsTotal(admin: string): Promise<number> {
  const s = await scrape(admin);
  return s.samples.filter((x) => x.name === 'faultline_requests_total').reduce((a, x) => a + x.value, 0);
}

const PIPELINE_SCENARIO = `
version: 1
rules:
  - name: hang
    match: { path: /hang }
    fault: { hang: true }
  - name: hang-short
    match: { path: /hang-short }
    fault: { hang: 200ms }
  - name: reset
    match: { path: /reset }
    fault: { reset: true }
`;

describe('pipelined requests behind a hang or a closing answer', () => {
  it('behind a hang: never forwarded; counted once and out of the in-flight gauge when the client leaves', async () => {
    const up = await countingSlowUpstream();
    const proxy = await proxyFor(up.url, PIPELINE_SCENARIO);
    const totalBefore = await requestsTotal(proxy.admin);
    const conn = openRaw(
      proxy.port,
      'GET /hang HTTP/1.1\r\nHost: x\r\n\r\nGET /behind-1 HTTP/1.1\r\nHost: x\r\n\r\nGET /behind-2 HTTP/1.1\r\nHost: x\r\n\r\n',
    );
    await sleep(300);
    expect(up.count('/behind-1')).toBe(0);
    expect(up.count('/behind-2')).toBe(0);
    conn.socket.destroy();
    await conn.closed;
    await sleep(200);
    expect(up.count('/behind-1')).toBe(0);
    expect(await inFlight(proxy.admin)).toBe(0);
    expect((await requestsTotal(proxy.admin)) - totalBefore).toBe(3);
  });

  it('behind an answer that closes the connection (a hang that ends): never forwarded, counted once', async () => {
    const up = await countingSlowUpstream();
    const proxy = await proxyFor(up.url, PIPELINE_SCENARIO);
    const totalBefore = await requestsTotal(proxy.admin);
    const conn = openRaw(proxy.port, 'GET /hang-short HTTP/1.1\r\nHost: x\r\n\r\nGET /behind-close HTTP/1.1\r\nHost: x\r\n\r\n');
    await conn.closed;
    await sleep(200);
    expect(conn.data()).toBe('');
    expect(up.count('/behind-close')).toBe(0);
    expect(await inFlight(proxy.admin)).toBe(0);
    expect((await requestsTotal(proxy.admin)) - totalBefore).toBe(2);
  });

  it('behind a reset: never forwarded, counted once', async () => {
    const up = await countingSlowUpstream();
    const proxy = await proxyFor(up.url, PIPELINE_SCENARIO);
    const totalBefore = await requestsTotal(proxy.admin);
    const conn = openRaw(proxy.port, 'GET /reset HTTP/1.1\r\nHost: x\r\n\r\nGET /behind-reset HTTP/1.1\r\nHost: x\r\n\r\n');
    await conn.closed;
    await sleep(200);
    expect(up.count('/behind-reset')).toBe(0);
    expect(await inFlight(proxy.admin)).toBe(0);
    expect((await requestsTotal(proxy.admin)) - totalBefore).toBe(2);
  });

  it('pipelined pass-through requests are all answered, in order', async () => {
    const up = await countingSlowUpstream();
    const proxy = await proxyFor(up.url);
    const conn = openRaw(
      proxy.port,
      'GET /p1 HTTP/1.1\r\nHost: x\r\n\r\nGET /p2 HTTP/1.1\r\nHost: x\r\n\r\nGET /p3 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    );
    await conn.closed;
    expect(conn.data().match(/HTTP\/1\.1 200 /g)).toHaveLength(3);
    expect(await inFlight(proxy.admin)).toBe(0);
  });
});
