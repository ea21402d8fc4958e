import http from 'node:http';
import { describe, expect, it } from 'vitest';
import { closeServer, listenOn, rawExchange, request } from '../helpers/http.js';
import { startProxy, type Running } from '../helpers/faultline.js';
import { cleanupAfterEach } from '../helpers/cleanup.js';

interface Seen {
  method: string;
  url: string;
  rawHeaders: string[];
  body: Buffer;
}

/** An upstream that records every request it receives and answers with fixed raw headers. */
async function recordingUpstream(): Promise<{ url: string; seen: Seen[]; server: http.Server }> {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', rawHeaders: req.rawHeaders, body: Buffer.concat(chunks) });
      res.writeHead(201, 'Made It', [
        'X-Upstream',
        'one',
        'X-Upstream',
        'two',
        'Keep-Alive',
        'timeout=77',
        'Connection',
        'X-Secret, keep-alive',
        'X-Secret',
        'hop',
        'Content-Type',
        'text/plain',
        'X-Request-Id',
        'upstream-own-id',
        'Via',
        '1.1 backend',
      ]);
      res.end(`created:${Buffer.concat(chunks).length}`);
    });
  });
  const port = await listenOn(server);
  return { url: `http://127.0.0.1:${port}`, seen, server };
}

const cleanups = cleanupAfterEach();

async function setup(): Promise<{ proxy: Running; up: Awaited<ReturnType<typeof recordingUpstream>> }> {
  const up = await recordingUpstream();
  cleanups.push(() => closeServer(up.server));
  const proxy = await startProxy(up.url);
  cleanups.push(() => proxy.close());
  return { proxy, up };
}

function pairs(raw: string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i < raw.length; i += 2) out.push([raw[i]!, raw[i + 1]!]);
  return out;
}

describe('pass-through', () => {
  it('forwards method, path, query, headers and body byte for byte', async () => {
    const { proxy, up } = await setup();
    const body = Buffer.from([0, 1, 2, 255, 254, 10, 13]);
    const reply = await request(`${proxy.url}/a/b%20c/?x=1&x=2&y=%C3%A9`, {
      method: 'PATCH',
      headers: { 'X-Custom': 'Value With Case', 'x-multi': ['a', 'b'], 'content-type': 'application/octet-stream' },
      body,
    });
    expect(reply.status).toBe(201);
    expect(up.seen).toHaveLength(1);
    const s = up.seen[0]!;
    expect(s.method).toBe('PATCH');
    expect(s.url).toBe('/a/b%20c/?x=1&x=2&y=%C3%A9');
    expect(s.body.equals(body)).toBe(true);
    const got = pairs(s.rawHeaders);
    expect(got).toContainEqual(['X-Custom', 'Value With Case']);
    expect(got.filter(([n]) => n === 'x-multi').map(([, v]) => v)).toEqual(['a', 'b']);
    expect(reply.text).toBe('created:7');
  });

  it('relays the response status line, repeated headers and body', async () => {
    const { proxy } = await setup();
    const reply = await request(`${proxy.url}/x`);
    expect(reply.status).toBe(201);
    const got = pairs(reply.rawHeaders);
    expect(got.filter(([n]) => n === 'X-Upstream').map(([, v]) => v)).toEqual(['one', 'two']);
    expect(reply.text).toBe('created:0');
    const raw = await rawExchange(proxy.port, 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(raw.data.startsWith('HTTP/1.1 201 Made It\r\n')).toBe(true);
  });

  it('strips hop-by-hop headers both ways and adds forwarding headers', async () => {
    const { proxy, up } = await setup();
    const reply = await request(`${proxy.url}/h`, {
      headers: {
        Connection: 'X-Drop-Me, keep-alive',
        'X-Drop-Me': '1',
        'Keep-Alive': 'timeout=1',
        TE: 'trailers',
        'Proxy-Authorization': 'Basic x',
        'X-Forwarded-For': '203.0.113.9',
        Via: '1.0 corp',
        Host: 'front.example',
      },
    });
    const names = pairs(up.seen[0]!.rawHeaders).map(([n]) => n.toLowerCase());
    for (const hop of ['x-drop-me', 'keep-alive', 'te', 'proxy-authorization']) expect(names).not.toContain(hop);
    const h = Object.fromEntries(pairs(up.seen[0]!.rawHeaders).map(([n, v]) => [n.toLowerCase(), v]));
    expect(h['x-forwarded-for']).toBe('203.0.113.9, 127.0.0.1');
    expect(h['x-forwarded-proto']).toBe('http');
    expect(h['x-forwarded-host']).toBe('front.example');
    expect(h.via).toBe('1.0 corp, 1.1 faultline');
    expect(h.host).toBe(new URL(up.url).host);
    // Response side: the upstream's Connection-listed and hop-by-hop headers are gone.
    expect(reply.headers['x-secret']).toBeUndefined();
    expect(reply.headers['keep-alive']).not.toBe('timeout=77');
    expect(reply.headers.via).toBe('1.1 backend, 1.1 faultline');
  });

  it('accepts a client request id, forwards it and returns it', async () => {
    const { proxy, up } = await setup();
    const reply = await request(`${proxy.url}/id`, { headers: { 'x-request-id': 'abc-123' } });
    expect(reply.headers['x-request-id']).toBe('abc-123');
    expect(pairs(up.seen[0]!.rawHeaders).find(([n]) => n.toLowerCase() === 'x-request-id')?.[1]).toBe('abc-123');
  });

  it('generates a request id when none (or an unusable one) is given', async () => {
    const { proxy, up } = await setup();
    const reply = await request(`${proxy.url}/id`, { headers: { 'x-request-id': 'has spaces in it' } });
    const id = reply.headers['x-request-id'];
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(pairs(up.seen[0]!.rawHeaders).find(([n]) => n.toLowerCase() === 'x-request-id')?.[1]).toBe(id);
  });

  it('forwards to an upstream path prefix', async () => {
    const up = await recordingUpstream();
    cleanups.push(() => closeServer(up.server));
    const proxy = await startProxy(up.url + '/api/');
    cleanups.push(() => proxy.close());
    await request(`${proxy.url}/v1/items?q=1`);
    expect(up.seen[0]!.url).toBe('/api/v1/items?q=1');
  });
});
