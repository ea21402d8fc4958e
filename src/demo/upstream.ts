import http, { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import { DemoWebDav } from './webdav.js';

/**
 * The built-in demo upstream: a small real server to put faultline in front of when you have no
 * service of your own, and the upstream the tests use.
 *
 *   GET  /status/:code   that status, its standard headers, a diagnostic JSON body
 *   ANY  /echo           the request (method, path, headers, body) as JSON
 *   GET  /bytes/:n       n bytes, streamed
 *   PUT|POST /upload/*   reads and counts the body, 201 with the count
 *   DELETE /upload/*     204
 *   ANY  /delay/:ms      answers after ms milliseconds
 *   /dav/...             a small in-memory WebDAV store (PUT, GET, DELETE, MKCOL, COPY, MOVE,
 *                        PROPFIND depth 0/1) for curl and rclone; 507 beyond 256 MiB
 */
export function createDemoUpstream(): http.Server {
  const dav = new DemoWebDav('/dav', DAV_CAPACITY);
  return http.createServer({ requestTimeout: 0 }, (req, res) => route(req, res, dav));
}

const DAV_CAPACITY = 256 * 1024 * 1024;

const CHUNK = Buffer.alloc(64 * 1024, 'faultline demo bytes\n');
const MAX_DELAY_MS = 600_000;
const MAX_ECHO_BODY = 1 << 20;

/** Headers a real server sends with these statuses (RFC 9110 §15). */
const STANDARD_HEADERS: Record<number, Record<string, string>> = {
  301: { location: '/echo' },
  302: { location: '/echo' },
  303: { location: '/echo' },
  307: { location: '/echo' },
  308: { location: '/echo' },
  401: { 'www-authenticate': 'Bearer realm="demo"' },
  405: { allow: 'GET, HEAD' },
  407: { 'proxy-authenticate': 'Basic realm="demo"' },
  416: { 'content-range': 'bytes */0' },
  426: { upgrade: 'HTTP/2' },
  429: { 'retry-after': '1' },
  503: { 'retry-after': '1' },
};

function route(req: IncomingMessage, res: ServerResponse, dav: DemoWebDav): void {
  const url = new URL(req.url ?? '/', 'http://demo.invalid');
  const path = url.pathname;
  const [, first = '', second = ''] = path.split('/');
  if (first === 'dav') return dav.handle(req, res, (req.url ?? '/').split('?')[0] ?? '/');
  if (first === 'status' && second !== '') return status(req, res, path, Number(second));
  if (path === '/echo') return echo(req, res, path);
  if (first === 'bytes' && second !== '') return bytes(req, res, Number(second));
  if (first === 'events' && second !== '') return events(req, res, Number(second));
  if (first === 'upload') return upload(req, res, path);
  if (first === 'delay' && second !== '') return delay(req, res, path, Number(second));
  if (path === '/')
    return json(res, 200, {
      service: 'faultline demo upstream',
      endpoints: ['/status/:code', '/echo', '/bytes/:n', '/events/:n', 'PUT|POST|DELETE /upload/*', '/delay/:ms', 'WebDAV /dav/'],
    });
  req.resume();
  json(
    res,
    404,
    { type: 'about:blank', title: 'Not Found', status: 404, detail: `no demo endpoint at ${path}` },
    'application/problem+json',
  );
}

function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  type = 'application/json',
  extra: Record<string, string> = {},
): void {
  const text = status === 204 || status === 304 ? '' : JSON.stringify(body);
  const headers: Record<string, string | number> = { ...extra };
  if (text !== '') {
    headers['content-type'] = type;
    headers['content-length'] = Buffer.byteLength(text);
  }
  res.writeHead(status, headers);
  res.end(res.req.method === 'HEAD' ? undefined : text);
}

function status(req: IncomingMessage, res: ServerResponse, path: string, code: number): void {
  req.resume();
  if (!Number.isInteger(code) || code < 200 || code > 599) {
    json(
      res,
      400,
      { type: 'about:blank', title: 'Bad Request', status: 400, detail: 'status must be an integer 200-599' },
      'application/problem+json',
    );
    return;
  }
  const reason = STATUS_CODES[code] ?? 'Unknown';
  json(
    res,
    code,
    { method: req.method, path, headers: req.headers, status: code, reason },
    'application/json',
    STANDARD_HEADERS[code] ?? {},
  );
}

function echo(req: IncomingMessage, res: ServerResponse, path: string): void {
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (c: Buffer) => {
    size += c.length;
    if (size <= MAX_ECHO_BODY) chunks.push(c);
  });
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    json(res, 200, {
      method: req.method,
      path,
      url: req.url,
      headers: req.headers,
      rawHeaders: req.rawHeaders,
      bodyBytes: size,
      body: body.toString('utf8'),
      bodyBase64: body.toString('base64'),
    });
  });
}

/** `n` Server-Sent Events (`id: i`, `data: event i`), one every 10 ms, then the end of the stream. */
function events(req: IncomingMessage, res: ServerResponse, n: number): void {
  req.resume();
  if (!Number.isSafeInteger(n) || n < 0 || n > 10_000) {
    json(
      res,
      400,
      { type: 'about:blank', title: 'Bad Request', status: 400, detail: 'n must be an integer 0-10000' },
      'application/problem+json',
    );
    return;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
  let sent = 0;
  const timer = setInterval(() => {
    if (sent >= n) {
      clearInterval(timer);
      res.end();
      return;
    }
    res.write(`id: ${sent}\ndata: event ${sent}\n\n`);
    sent++;
  }, 10);
  res.on('close', () => clearInterval(timer));
}

function bytes(req: IncomingMessage, res: ServerResponse, n: number): void {
  req.resume();
  if (!Number.isSafeInteger(n) || n < 0) {
    json(
      res,
      400,
      { type: 'about:blank', title: 'Bad Request', status: 400, detail: 'n must be a non-negative integer' },
      'application/problem+json',
    );
    return;
  }
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': n });
  if (req.method === 'HEAD') return void res.end();
  let left = n;
  const pump = (): void => {
    while (left > 0) {
      const part = left >= CHUNK.length ? CHUNK : CHUNK.subarray(0, left);
      left -= part.length;
      if (!res.write(part)) {
        res.once('drain', pump);
        return;
      }
    }
    res.end();
  };
  res.on('close', () => {
    left = 0;
  });
  pump();
}

function upload(req: IncomingMessage, res: ServerResponse, path: string): void {
  if (req.method === 'DELETE') {
    req.resume();
    res.writeHead(204);
    res.end();
    return;
  }
  if (req.method !== 'PUT' && req.method !== 'POST') {
    req.resume();
    json(
      res,
      405,
      { type: 'about:blank', title: 'Method Not Allowed', status: 405, detail: 'use PUT, POST or DELETE' },
      'application/problem+json',
      { allow: 'PUT, POST, DELETE' },
    );
    return;
  }
  let size = 0;
  req.on('data', (c: Buffer) => {
    size += c.length;
  });
  req.on('end', () => json(res, 201, { path, bytes: size }, 'application/json', { location: path }));
}

function delay(req: IncomingMessage, res: ServerResponse, path: string, ms: number): void {
  req.resume();
  if (!Number.isFinite(ms) || ms < 0 || ms > MAX_DELAY_MS) {
    json(
      res,
      400,
      { type: 'about:blank', title: 'Bad Request', status: 400, detail: `ms must be 0-${MAX_DELAY_MS}` },
      'application/problem+json',
    );
    return;
  }
  const timer = setTimeout(() => json(res, 200, { path, delayedMs: ms }), ms);
  res.on('close', () => clearTimeout(timer));
}
