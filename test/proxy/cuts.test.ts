import http from 'node:http';
import net from 'node:net';
import { execFile } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeServer, listenOn } from '../helpers/http.js';
import { startProxy, type Running } from '../helpers/faultline.js';
import { scrape } from '../metrics/scrape.js';

/*
 * A cut must be a cut for every client: truncate and reset-after never end the message cleanly
 * (no terminating chunk; the connection closes before the announced Content-Length), the upstream
 * response is abandoned, nothing more is written on the connection, and metrics count what went out.
 */

const BIG = 64 * 1024 * 1024;
let upstreamBytesSent = 0;
let upstreamAborted = 0;
let server: http.Server;
let upstreamUrl: string;

/** `/cl/N`: N bytes with Content-Length; `/chunked/N`: N bytes chunked; both written in 16 KiB pieces. */
function serve(req: http.IncomingMessage, res: http.ServerResponse): void {
  const m = /^\/(?:t|r|ok)\/(cl|chunked)\/(\d+)$/.exec(req.url ?? '');
  if (m === null) {
    res.writeHead(200, { 'content-length': '2' }).end('ok');
    return;
  }
  const total = Number(m[2]);
  res.writeHead(200, m[1] === 'cl' ? { 'content-length': String(total) } : {});
  const piece = Buffer.alloc(16 * 1024, 0x61);
  let left = total;
  res.on('close', () => {
    if (!res.writableFinished) upstreamAborted++;
  });
  const pump = (): void => {
    while (left > 0) {
      const part = left >= piece.length ? piece : piece.subarray(0, left);
      left -= part.length;
      upstreamBytesSent += part.length;
      if (!res.write(part)) {
        res.once('drain', pump);
        return;
      }
    }
    res.end();
  };
  pump();
}

const SCENARIO = `
version: 1
rules:
  - name: truncate
    match: { path: /t/** }
    fault: { truncate: 1KiB }
  - name: reset-after
    match: { path: /r/** }
    fault: { reset: { afterBytes: 1KiB } }
`;

let proxy: Running;
beforeAll(async () => {
  server = http.createServer(serve);
  upstreamUrl = `http://127.0.0.1:${await listenOn(server)}`;
  proxy = await startProxy(upstreamUrl, { scenario: SCENARIO });
});
afterAll(async () => {
  await proxy.close();
  await closeServer(server);
});

function curl(url: string): Promise<{ exit: number; bytes: number }> {
  return new Promise((resolve) => {
    execFile('curl', ['-s', '-o', '/dev/null', '-w', '%{size_download}', url], { timeout: 10_000 }, (err, stdout) => {
      const exit = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
      resolve({ exit, bytes: Number(stdout) });
    });
  });
}

async function fetchOutcome(url: string): Promise<string> {
  try {
    const res = await fetch(url);
    const body = await res.arrayBuffer();
    return `complete:${body.byteLength}`;
  } catch (err) {
    return `error:${(err as Error).message}`;
  }
}

const PATHS = ['/t/cl/100000', '/t/chunked/100000', '/r/cl/100000', '/r/chunked/100000'];

describe('curl sees every cut (exit 18 or 56, never 0)', () => {
  for (const path of PATHS) {
    it(path, async () => {
      for (let i = 0; i < 5; i++) {
        const r = await curl(`${proxy.url}${path}`);
        expect([18, 56]).toContain(r.exit);
        expect(r.bytes).toBeLessThanOrEqual(1024);
      }
    });
  }
});

describe('undici fetch sees every cut as an error', () => {
  for (const path of PATHS) {
    it(path, async () => {
      for (let i = 0; i < 5; i++) expect(await fetchOutcome(`${proxy.url}${path}`)).toMatch(/^error:/);
    });
  }
});

/** Write raw bytes, read until the peer closes (bounded). */
function raw(payload: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(proxy.port, '127.0.0.1');
    let data = '';
    const timer = setTimeout(() => socket.destroy(), 5000);
    socket.on('data', (c: Buffer) => (data += c.toString('latin1')));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(data);
    });
    socket.write(payload);
  });
}

describe('pipelined: nothing is written after a cut', () => {
  for (const path of ['/t/chunked/100000', '/t/cl/100000', '/r/chunked/100000']) {
    it(path, async () => {
      const data = await raw(`GET ${path} HTTP/1.1\r\nHost: x\r\n\r\nGET /ok/after HTTP/1.1\r\nHost: x\r\n\r\n`);
      expect(data.startsWith('HTTP/1.1 200 ')).toBe(true);
      expect(data.indexOf('HTTP/1.1', 5)).toBe(-1); // no second response
      expect(data.endsWith('0\r\n\r\n')).toBe(false); // no terminating chunk
      const body = data.slice(data.indexOf('\r\n\r\n') + 4);
      if (path.includes('/cl/')) expect(body.length).toBe(1024);
    });
  }
});

describe('metrics count a cut as incomplete, with the bytes actually sent', () => {
  it('code="0", response bytes = 1024, the upstream body abandoned', async () => {
    const before = await scrape(proxy.admin);
    const bytesBefore = before.value('faultline_bytes_total', { direction: 'response' }) ?? 0;
    const zeroBefore =
      before.value('faultline_requests_total', { method: 'GET', code: '0', outcome: 'injected', protocol: 'http/1.1' }) ?? 0;
    const abortedBefore = upstreamAborted;
    const sentBefore = upstreamBytesSent;
    const r = await curl(`${proxy.url}/t/chunked/${BIG}`);
    expect(r.exit).toBe(18);
    await new Promise((res) => setTimeout(res, 300));
    const after = await scrape(proxy.admin);
    expect(after.value('faultline_requests_total', { method: 'GET', code: '0', outcome: 'injected', protocol: 'http/1.1' })).toBe(
      zeroBefore + 1,
    );
    expect((after.value('faultline_bytes_total', { direction: 'response' }) ?? 0) - bytesBefore).toBe(1024);
    expect(upstreamAborted).toBe(abortedBefore + 1);
    expect(upstreamBytesSent - sentBefore).toBeLessThan(BIG / 2);
  });
});
