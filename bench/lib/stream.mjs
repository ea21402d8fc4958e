// Streaming: N bytes up (PUT, Content-Length) and N bytes down (GET /bytes/N) through a target,
// with a node:http client that respects backpressure. The upstream reports the bytes it received;
// the client counts the bytes it got; both must equal N.
import http from 'node:http';
import { CHUNK } from './bodies.mjs';

/** PUT `bytes` to url/upload; resolves { seconds, mbps }. Rejects on a short count or timeout. */
export function upload(base, bytes, timeoutMs) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const req = http.request(`${base}/upload`, {
      method: 'PUT',
      agent: false,
      headers: { 'content-length': String(bytes), 'content-type': 'application/octet-stream' },
    });
    const timer = setTimeout(() => req.destroy(new Error(`upload timed out after ${timeoutMs} ms`)), timeoutMs);
    req.on('error', (err) => (clearTimeout(timer), reject(err)));
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d) => (body += d));
      res.on('end', () => {
        clearTimeout(timer);
        const got = res.statusCode === 200 ? JSON.parse(body).bytes : null;
        if (got !== bytes) return reject(new Error(`upload: status ${res.statusCode}, upstream got ${got} of ${bytes} bytes`));
        resolve(rate(t0, bytes));
      });
    });
    let left = bytes;
    const pump = () => {
      while (left > 0) {
        const n = Math.min(left, CHUNK.length);
        left -= n;
        if (!req.write(n === CHUNK.length ? CHUNK : CHUNK.subarray(0, n))) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
}

/** GET url/bytes/N and count what arrives; resolves { seconds, mbps }. */
export function download(base, bytes, timeoutMs) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const req = http.get(`${base}/bytes/${bytes}`, { agent: false });
    const timer = setTimeout(() => req.destroy(new Error(`download timed out after ${timeoutMs} ms`)), timeoutMs);
    req.on('error', (err) => (clearTimeout(timer), reject(err)));
    req.on('response', (res) => {
      let got = 0;
      res.on('data', (c) => (got += c.length));
      res.on('error', (err) => (clearTimeout(timer), reject(err)));
      res.on('end', () => {
        clearTimeout(timer);
        if (res.statusCode !== 200 || got !== bytes)
          return reject(new Error(`download: status ${res.statusCode}, got ${got} of ${bytes} bytes`));
        resolve(rate(t0, bytes));
      });
    });
  });
}

function rate(t0, bytes) {
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return { seconds, mbps: bytes / 1e6 / seconds };
}
