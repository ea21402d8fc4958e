import http from 'node:http';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { closeServer, listenOn, rawExchange, request } from '../helpers/http.js';
import { startDemoUpstream, startProxy } from '../helpers/faultline.js';
import { cleanupAfterEach } from '../helpers/cleanup.js';

const cleanups = cleanupAfterEach();

/** A server that must receive nothing: counts every connection made to it. */
async function bystander(): Promise<{ port: number; connections: () => number }> {
  let connections = 0;
  const server = net.createServer((s) => {
    connections++;
    s.destroy();
  });
  const port = await listenOn(server);
  cleanups.push(() => closeServer(server));
  return { port, connections: () => connections };
}

describe('never an open proxy', () => {
  it('refuses absolute-form requests for another host with 400 problem+json', async () => {
    const demo = await startDemoUpstream();
    cleanups.push(() => demo.close());
    const proxy = await startProxy(demo.url);
    cleanups.push(() => proxy.close());
    const other = await bystander();
    const raw = await rawExchange(
      proxy.port,
      `GET http://127.0.0.1:${other.port}/secret HTTP/1.1\r\nHost: 127.0.0.1:${other.port}\r\nConnection: close\r\n\r\n`,
    );
    expect(raw.data).toMatch(/^HTTP\/1\.1 400 /);
    expect(raw.data).toMatch(/content-type: application\/problem\+json/i);
    expect(raw.data).toContain('FAULTLINE_ABSOLUTE_FORM_REFUSED');
    expect(other.connections()).toBe(0);
  });

  it('refuses CONNECT with 405 and opens no tunnel', async () => {
    const demo = await startDemoUpstream();
    cleanups.push(() => demo.close());
    const proxy = await startProxy(demo.url);
    cleanups.push(() => proxy.close());
    const other = await bystander();
    const raw = await rawExchange(
      proxy.port,
      `CONNECT 127.0.0.1:${other.port} HTTP/1.1\r\nHost: 127.0.0.1:${other.port}\r\nX-Request-Id: conn-1\r\n\r\n`,
    );
    expect(raw.data).toMatch(/^HTTP\/1\.1 405 Method Not Allowed\r\n/);
    const { head, body } = problemOf(raw.data);
    expect(head).toMatch(/^allow: GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS$/m);
    expect(head).toMatch(/^cache-control: no-store$/m);
    expect(head).toMatch(/^x-request-id: conn-1$/m);
    expect(head).toMatch(/^connection: close$/m);
    expect(body).toEqual({
      type: 'https://faultline.dev/problems/connect-refused',
      title: 'Method Not Allowed',
      status: 405,
      detail: 'faultline is a reverse proxy for one upstream and does not open CONNECT tunnels.',
      instance: '/',
      requestId: 'conn-1',
      code: 'FAULTLINE_CONNECT_REFUSED',
    });
    expect(other.connections()).toBe(0);
  });

  it('refuses an upgrade naming another host with the same 400 problem+json as a plain request', async () => {
    const demo = await startDemoUpstream();
    cleanups.push(() => demo.close());
    const proxy = await startProxy(demo.url);
    cleanups.push(() => proxy.close());
    const other = await bystander();
    const raw = await rawExchange(
      proxy.port,
      `GET http://127.0.0.1:${other.port}/socket HTTP/1.1\r\nHost: 127.0.0.1:${other.port}\r\nConnection: Upgrade\r\n` +
        'Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
    );
    expect(raw.data).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    const { head, body } = problemOf(raw.data);
    const id = /^x-request-id: (\S+)$/m.exec(head)?.[1];
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(body).toMatchObject({ status: 400, title: 'Bad Request', code: 'FAULTLINE_ABSOLUTE_FORM_REFUSED', requestId: id });
    expect(other.connections()).toBe(0);
  });
});

/** Split a raw problem+json response: its header lines, and its body parsed (checked against Content-Length). */
function problemOf(raw: string): { head: string; body: Record<string, unknown> } {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split).replace(/\r\n/g, '\n');
  const text = raw.slice(split + 4);
  expect(head).toMatch(/^content-type: application\/problem\+json$/m);
  expect(head).toContain(`content-length: ${Buffer.byteLength(text)}`);
  return { head, body: JSON.parse(text) as Record<string, unknown> };
}

describe('upstream failures before the head', () => {
  it('answers 502 problem+json for an unreachable upstream, with no internal address', async () => {
    const server = net.createServer(); // take a free port, then close it: nothing listens there
    const port = await listenOn(server);
    await closeServer(server);
    const proxy = await startProxy(`http://127.0.0.1:${port}`);
    cleanups.push(() => proxy.close());
    const reply = await request(`${proxy.url}/x`, { headers: { 'x-request-id': 'r-502' } });
    expect(reply.status).toBe(502);
    expect(reply.headers['content-type']).toBe('application/problem+json');
    expect(reply.headers['cache-control']).toBe('no-store');
    const body = JSON.parse(reply.text) as Record<string, unknown>;
    expect(body).toMatchObject({
      status: 502,
      title: 'Bad Gateway',
      code: 'FAULTLINE_UPSTREAM_UNREACHABLE',
      requestId: 'r-502',
      instance: '/x',
    });
    expect(reply.text).not.toContain('127.0.0.1');
    expect(reply.text).not.toMatch(/ECONNREFUSED|at .*\.js/);
    expect(proxy.logs.some((l) => l.msg === 'upstream request failed' && l.reason === 'unreachable')).toBe(true);
  });

  it('answers 504 problem+json when the upstream does not answer in time', async () => {
    const silent = http.createServer(() => {
      /* never answers */
    });
    const port = await listenOn(silent);
    cleanups.push(() => closeServer(silent));
    const proxy = await startProxy(`http://127.0.0.1:${port}`, { flags: { upstreamTimeout: '300ms' } });
    cleanups.push(() => proxy.close());
    const started = Date.now();
    const reply = await request(`${proxy.url}/slow`);
    expect(reply.status).toBe(504);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(JSON.parse(reply.text)).toMatchObject({ status: 504, code: 'FAULTLINE_UPSTREAM_TIMEOUT', title: 'Gateway Timeout' });
  });

  it('destroys the client connection when the upstream dies after the head', async () => {
    const dying = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-length': '1000' });
      res.write('partial');
      setTimeout(() => res.socket?.destroy(), 50);
    });
    const port = await listenOn(dying);
    cleanups.push(() => closeServer(dying));
    const proxy = await startProxy(`http://127.0.0.1:${port}`);
    cleanups.push(() => proxy.close());
    await expect(request(`${proxy.url}/`)).rejects.toThrow();
  });
});

describe('client aborts', () => {
  it('a client that goes away aborts the upstream request', async () => {
    let upstreamClosed: () => void = () => {};
    const closed = new Promise<void>((r) => (upstreamClosed = r));
    const slow = http.createServer((req, res) => {
      res.on('close', () => upstreamClosed());
      req.resume();
    });
    const port = await listenOn(slow);
    cleanups.push(() => closeServer(slow));
    const proxy = await startProxy(`http://127.0.0.1:${port}`);
    cleanups.push(() => proxy.close());
    const req = http.request(`${proxy.url}/wait`, { agent: false });
    req.on('error', () => {});
    req.end();
    await new Promise((r) => setTimeout(r, 100));
    req.destroy();
    await expect(
      Promise.race([closed.then(() => 'closed'), new Promise((r) => setTimeout(() => r('timeout'), 3000))]),
    ).resolves.toBe('closed');
  });
});

describe('websocket', () => {
  it('passes an upgrade through and echoes messages', async () => {
    const server = http.createServer();
    const wss = new WebSocketServer({ server });
    const upgrades: http.IncomingHttpHeaders[] = [];
    wss.on('connection', (ws, req) => {
      upgrades.push(req.headers);
      ws.on('message', (m) => ws.send(`echo:${(m as Buffer).toString()}`));
    });
    const port = await listenOn(server);
    cleanups.push(async () => {
      wss.close();
      await closeServer(server);
    });
    const proxy = await startProxy(`http://127.0.0.1:${port}`);
    cleanups.push(() => proxy.close());
    const ws = new WebSocket(`ws://127.0.0.1:${proxy.port}/socket`, { headers: { 'x-faultline-session': 'abc', 'x-kept': '1' } });
    const reply = await new Promise<string>((resolve, reject) => {
      ws.on('open', () => ws.send('hello'));
      ws.on('message', (m) => resolve((m as Buffer).toString()));
      ws.on('error', reject);
    });
    ws.close();
    expect(reply).toBe('echo:hello');
    // faultline's session header is its own business: not forwarded on upgrades either.
    expect(upgrades[0]?.['x-faultline-session']).toBeUndefined();
    expect(upgrades[0]?.['x-kept']).toBe('1');
  });
});
