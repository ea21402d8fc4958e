import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { cleanupAfterEach } from '../helpers/cleanup.js';
import { startProxy } from '../helpers/faultline.js';
import { countingUpstream } from '../helpers/upstream.js';

const cleanups = cleanupAfterEach();

/** Write `text` a few bytes at a time, then collect what comes back until the server closes or `ms` pass. */
function trickle(port: number, text: string, step: number, ms = 3000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let got = '';
    socket.on('data', (c: Buffer) => (got += c.toString('latin1')));
    socket.on('error', reject);
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(got);
    }, ms);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(got);
    });
    socket.on('connect', () => {
      let i = 0;
      const next = (): void => {
        if (i >= text.length || socket.destroyed) return;
        socket.write(Buffer.from(text.slice(i, i + step), 'latin1'));
        i += step;
        setTimeout(next, 5);
      };
      next();
    });
  });
}

describe('the plain listener tells HTTP/1.1 from h2c by the first bytes', () => {
  it('an HTTP/1.1 request sent a byte at a time (starting like the h2 preface) is still HTTP/1.1', async () => {
    const upstream = await countingUpstream();
    cleanups.push(() => upstream.close());
    const proxy = await startProxy(upstream.url);
    cleanups.push(() => proxy.close());
    const reply = await trickle(
      proxy.port,
      'PUT /upload/a.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi',
      1,
    );
    expect(reply.startsWith('HTTP/1.1 201 ')).toBe(true);
    expect(upstream.seen.map((r) => `${r.method} ${r.url}`)).toEqual(['PUT /upload/a.txt']);
  });

  it('an h2c preface that arrives in pieces is still HTTP/2', async () => {
    const upstream = await countingUpstream();
    cleanups.push(() => upstream.close());
    const proxy = await startProxy(upstream.url);
    cleanups.push(() => proxy.close());
    // The preface and an empty SETTINGS frame, three bytes at a time: the server answers with its
    // own SETTINGS frame (type 0x4), not with an HTTP/1.1 400.
    const settings = '\x00\x00\x00\x04\x00\x00\x00\x00\x00';
    const reply = await trickle(proxy.port, 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n' + settings, 3, 1000);
    expect(reply.startsWith('HTTP/')).toBe(false);
    expect(reply.charCodeAt(3)).toBe(0x04);
  });
});
