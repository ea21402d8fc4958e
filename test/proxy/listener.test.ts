import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { closeServer, listenOn, rawExchange, request } from '../helpers/http.js';
import { startProxy, type Running } from '../helpers/faultline.js';
import type { SeenRequest } from '../helpers/upstream.js';
import { countingUpstream } from '../helpers/upstream.js';
import { cleanupAfterEach } from '../helpers/cleanup.js';
import type { RawValue } from '../../src/config/load.js';

const cleanups = cleanupAfterEach();

async function setup(flags: Record<string, RawValue> = {}): Promise<{ proxy: Running; seen: SeenRequest[] }> {
  const upstream = await countingUpstream();
  cleanups.push(() => upstream.close());
  const proxy = await startProxy(upstream.url, { flags });
  cleanups.push(() => proxy.close());
  return { proxy, seen: upstream.seen };
}

async function refused(proxy: Running, reason: string): Promise<number> {
  const text = (await request(`${proxy.admin}/metrics`)).text;
  const m = new RegExp(`^faultline_connections_refused_total\\{reason="${reason}"\\} (\\d+)$`, 'm').exec(text);
  return Number(m?.[1] ?? NaN);
}

/** Head and JSON body of a raw HTTP/1.1 answer. */
function parseAnswer(data: string): { status: number; head: string; body: Record<string, unknown> } {
  const at = data.indexOf('\r\n\r\n');
  const head = data.slice(0, at);
  return {
    status: Number(/^HTTP\/1\.1 (\d{3}) /.exec(head)?.[1]),
    head,
    body: JSON.parse(data.slice(at + 4)) as Record<string, unknown>,
  };
}

/** Open a connection and keep sending one byte of `text` every `everyMs` until the peer closes it. */
function trickle(port: number, text: string, everyMs: number): Promise<{ data: string; sent: number }> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let data = '';
    let sent = 0;
    const timer = setInterval(() => {
      if (sent < text.length) socket.write(text[sent++] as string);
      else socket.destroy();
    }, everyMs);
    socket.on('data', (c: Buffer) => (data += c.toString('latin1')));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearInterval(timer);
      resolve({ data, sent });
    });
  });
}

describe('headers timeout', () => {
  it('closes a connection whose head trickles in, with 408 problem+json, counted and logged', async () => {
    const { proxy, seen } = await setup({ headersTimeout: '400ms' });
    const head = 'GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ' + 'a'.repeat(60) + '\r\n\r\n';
    const r = await trickle(proxy.port, head, 50);
    expect(r.sent).toBeLessThan(head.length); // cut before the head could complete
    const answer = parseAnswer(r.data);
    expect(answer.status).toBe(408);
    expect(answer.head).toMatch(/content-type: application\/problem\+json/i);
    expect(answer.body).toMatchObject({ status: 408, code: 'FAULTLINE_REQUEST_TIMEOUT' });
    expect(answer.head).toContain(`X-Request-Id: ${String(answer.body.requestId)}`);
    expect(seen).toHaveLength(0);
    expect(await refused(proxy, 'headers_timeout')).toBe(1);
    expect(proxy.logs.some((l) => l.level === 20 && l.reason === 'headers_timeout')).toBe(true);
  });

  it('closes a connection that sends nothing at all', async () => {
    const { proxy } = await setup({ headersTimeout: '300ms' });
    const r = await rawExchange(proxy.port, '', 5000);
    expect(r.data).toMatch(/^HTTP\/1\.1 408 /);
  });
});

describe('keep-alive timeout', () => {
  it('closes a kept-alive connection idle for longer than --keep-alive-timeout', async () => {
    const { proxy } = await setup({ keepAliveTimeout: '300ms' });
    const socket = net.connect(proxy.port, '127.0.0.1');
    let data = '';
    socket.on('data', (c: Buffer) => (data += c.toString('latin1')));
    const closed = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 3000); // Node's default would wait 5 s
      socket.on('close', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
    socket.write('GET /echo HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(await closed).toBe(true);
    expect(data).toMatch(/^HTTP\/1\.1 200 /);
  });
});

describe('max connections', () => {
  it('closes connections beyond the limit at once and serves again when one leaves', async () => {
    const { proxy } = await setup({ maxConnections: '2' });
    const held: net.Socket[] = [];
    for (let i = 0; i < 2; i++) {
      const s = net.connect(proxy.port, '127.0.0.1');
      await new Promise((r) => s.once('connect', r));
      s.write('GET / HTTP/1.1\r\n'); // an unfinished head keeps it open
      held.push(s);
    }
    cleanups.push(async () => held.forEach((s) => s.destroy()));
    await expect.poll(() => proxy.app.connections()).toBe(2);
    const third = await rawExchange(proxy.port, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n', 3000);
    expect(third.data).toBe('');
    expect(await refused(proxy, 'max_connections')).toBe(1);
    held.pop()?.destroy();
    await expect.poll(() => proxy.app.connections()).toBe(1);
    const ok = await rawExchange(proxy.port, 'GET /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 3000);
    expect(ok.data).toMatch(/^HTTP\/1\.1 200 /);
  });
});

describe('request head size', () => {
  it('answers 431 problem+json to a head over the limit', async () => {
    const { proxy, seen } = await setup();
    const r = await rawExchange(proxy.port, `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`);
    const answer = parseAnswer(r.data);
    expect(answer.status).toBe(431);
    expect(answer.body).toMatchObject({ code: 'FAULTLINE_HEADERS_TOO_LARGE', status: 431 });
    expect(seen).toHaveLength(0);
    expect(await refused(proxy, 'header_too_large')).toBe(1);
  });

  it('answers 414 to a 20 KB request target (over the whole head limit)', async () => {
    const { proxy, seen } = await setup();
    const r = await rawExchange(proxy.port, `GET /${'u'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`);
    expect(parseAnswer(r.data)).toMatchObject({ status: 414, body: { code: 'FAULTLINE_URI_TOO_LONG' } });
    expect(seen).toHaveLength(0);
    expect(await refused(proxy, 'uri_too_long')).toBe(1);
  });

  it('answers 414 to a target over --max-uri-length that fits in the head, and closes', async () => {
    const { proxy, seen } = await setup({ maxUriLength: '2KiB' });
    const r = await rawExchange(
      proxy.port,
      `GET /${'u'.repeat(3000)} HTTP/1.1\r\nHost: x\r\n\r\nGET /echo HTTP/1.1\r\nHost: x\r\n\r\n`,
    );
    expect(parseAnswer(r.data)).toMatchObject({ status: 414, body: { code: 'FAULTLINE_URI_TOO_LONG' } });
    expect(r.data.match(/HTTP\/1\.1 /g)).toHaveLength(1);
    expect(seen).toHaveLength(0);
    const metrics = (await request(`${proxy.admin}/metrics`)).text;
    expect(metrics).toMatch(/^faultline_requests_total\{method="GET",code="414",outcome="rejected",protocol="http\/1\.1"\} 1$/m);
    expect(metrics).toMatch(/^faultline_requests_total\{method="GET",code="0",outcome="rejected",protocol="http\/1\.1"\} 1$/m);
    expect(metrics).toMatch(/^faultline_in_flight_requests 0$/m);
  });
});

describe('clientError', () => {
  it('answers a malformed head with 400 problem+json carrying a request id', async () => {
    const { proxy, seen } = await setup();
    const r = await rawExchange(proxy.port, 'GET / HTTP/1.1\r\nHost: x\r\nNo colon here\r\n\r\n');
    const answer = parseAnswer(r.data);
    expect(answer).toMatchObject({ status: 400, body: { code: 'FAULTLINE_BAD_REQUEST' } });
    expect(answer.body.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(seen).toHaveLength(0);
    expect(await refused(proxy, 'bad_request')).toBe(1);
  });

  it('never writes into a response in progress: a malformed pipelined request just closes the socket', async () => {
    // An upstream that sends half its body, then the rest 400 ms later.
    const slow = net.createServer((s) => {
      s.once('data', () => {
        s.write('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n12345');
        setTimeout(() => s.end('67890'), 400);
      });
      s.on('error', () => {});
    });
    const port = await listenOn(slow);
    cleanups.push(() => closeServer(slow));
    const proxy = await startProxy(`http://127.0.0.1:${port}`);
    cleanups.push(() => proxy.close());
    const r = await rawExchange(
      proxy.port,
      'GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\nNo colon\r\n\r\n',
      3000,
    );
    expect(r.data).toMatch(/^HTTP\/1\.1 200 /);
    expect(r.data.match(/HTTP\/1\.1 /g)).toHaveLength(1);
    expect(r.data).not.toContain('problem');
    expect(r.data.endsWith('12345') || r.data.endsWith('1234567890')).toBe(true);
  });
});

describe('heads HTTP/1.1 forbids', () => {
  it('refuses two Host headers with 400 and forwards nothing', async () => {
    const { proxy, seen } = await setup();
    const r = await rawExchange(proxy.port, 'GET /echo HTTP/1.1\r\nHost: a.example\r\nHost: b.example\r\n\r\n');
    expect(parseAnswer(r.data)).toMatchObject({ status: 400, body: { code: 'FAULTLINE_BAD_REQUEST' } });
    expect(r.data).toMatch(/connection: close/i);
    expect(seen).toHaveLength(0);
  });

  it('refuses a request line without an HTTP version (HTTP/0.9 style) with 400', async () => {
    const { proxy, seen } = await setup();
    const r = await rawExchange(proxy.port, 'GET /echo\r\n\r\n');
    expect(parseAnswer(r.data)).toMatchObject({ status: 400, body: { code: 'FAULTLINE_BAD_REQUEST' } });
    expect(seen).toHaveLength(0);
  });
});

describe('upgrades other than WebSocket', () => {
  it('forwards an h2c upgrade as an ordinary request without the upgrade, and the next request too', async () => {
    const { proxy, seen } = await setup();
    const r = await rawExchange(
      proxy.port,
      'GET /echo HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\nX-Keep: 1\r\n\r\n' +
        'GET /echo?second HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
      3000,
    );
    expect(r.data.match(/HTTP\/1\.1 200 /g)).toHaveLength(2);
    expect(seen.map((s) => s.url)).toEqual(['/echo', '/echo?second']);
    expect(seen[0]?.headers).toMatchObject({ 'x-keep': '1' });
    expect(seen[0]?.headers.upgrade).toBeUndefined();
    expect(seen[0]?.headers['http2-settings']).toBeUndefined();
  });

  it('forwards a POST with an unknown upgrade and its body', async () => {
    const { proxy, seen } = await setup();
    const r = await rawExchange(
      proxy.port,
      'POST /echo HTTP/1.1\r\nHost: x\r\nConnection: upgrade, close\r\nUpgrade: foo/1\r\nContent-Length: 5\r\n\r\nhello',
      3000,
    );
    expect(r.data).toMatch(/^HTTP\/1\.1 200 /);
    expect(r.data).toContain('hello');
    expect(seen).toHaveLength(1);
  });
});
