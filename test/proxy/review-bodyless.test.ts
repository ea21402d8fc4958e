import http from 'node:http';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { cleanupAfterEach } from '../helpers/cleanup.js';
import { startProxy } from '../helpers/faultline.js';
import { closeServer, listenOn } from '../helpers/http.js';

/*
 * The body-less path (node:http, node-upstream.ts) against clients and upstreams that take
 * their time, over real sockets: a client reading a large answer slowly is not the upstream being
 * late, so --upstream-timeout must not cut it (undici's body timeout does not count a paused body,
 * and neither does the HTTP/2 upstream).
 */

const cleanups = cleanupAfterEach();
const BIG = Buffer.alloc(8 * 1024 * 1024, 'p');

async function bigUpstream(): Promise<string> {
  const server = http.createServer((_req, res) => {
    res.writeHead(207, { 'content-type': 'application/xml', 'content-length': String(BIG.length) });
    res.end(BIG);
  });
  const port = await listenOn(server);
  cleanups.push(() => closeServer(server));
  return `http://127.0.0.1:${port}`;
}

/** A raw client that sends `head`, reads the first bytes, stops reading for `pauseMs`, then reads to the close. */
function slowReader(port: number, head: string, pauseMs: number): Promise<{ bytes: number; data: Buffer }> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let paused = false;
    socket.on('data', (c: Buffer) => {
      chunks.push(c);
      if (!paused) {
        paused = true;
        socket.pause();
        setTimeout(() => socket.resume(), pauseMs);
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      const data = Buffer.concat(chunks);
      resolve({ bytes: data.length, data });
    });
    socket.write(head);
  });
}

describe('the body-less path and a slow client', () => {
  for (const method of ['PROPFIND', 'POST', 'GET']) {
    it(`${method} without a body: a client that stops reading for longer than --upstream-timeout still gets the whole answer`, async () => {
      const proxy = await startProxy(await bigUpstream(), { flags: { upstreamTimeout: '500ms' } });
      cleanups.push(() => proxy.close());
      const got = await slowReader(
        proxy.port,
        `${method} /dav/ HTTP/1.1\r\nHost: x\r\nDepth: 1\r\nConnection: close\r\n\r\n`,
        1500,
      );
      const at = got.data.indexOf('\r\n\r\n');
      expect(got.data.subarray(0, at).toString('latin1')).toMatch(/^HTTP\/1\.1 207 /);
      expect(got.bytes - at - 4).toBe(BIG.length);
    });
  }

  it('POST without a body: an upstream that stalls mid-body is still cut after --upstream-timeout', async () => {
    const server = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-length': '10000' });
      res.write('s'.repeat(1000));
    });
    const port = await listenOn(server);
    cleanups.push(() => closeServer(server));
    const proxy = await startProxy(`http://127.0.0.1:${port}`, { flags: { upstreamTimeout: '300ms' } });
    cleanups.push(() => proxy.close());
    // Reads at once (a pause of 0): the close comes from the upstream timeout, not from the client.
    const got = await slowReader(proxy.port, 'POST /stall HTTP/1.1\r\nHost: x\r\n\r\n', 0);
    const at = got.data.indexOf('\r\n\r\n');
    expect(got.data.subarray(0, at).toString('latin1')).toMatch(/^HTTP\/1\.1 200 [\s\S]*content-length: 10000/i);
    expect(got.bytes - at - 4).toBe(1000);
  });
});
