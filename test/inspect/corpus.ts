import { brotliCompressSync, deflateRawSync, gzipSync } from 'node:zlib';
import type { OutgoingHttpHeaders } from 'node:http';
import type { InspectOptions } from '../../src/inspect/index.js';
import { plain, problem, raw, type Route } from './server.js';

/**
 * The corpus: error responses as real servers get them wrong (and right), each served on its own
 * path by a real server; raw bytes wherever framing or head syntax matters. `ids` is the exact set
 * of finding ids expected, info included.
 */
export interface CorpusCase {
  name: string;
  route: Route;
  ids: string[];
  method?: string;
  headers?: [string, string][];
  options?: InspectOptions;
}

const now = (): string => new Date().toUTCString();
const hourFromNow = (): string => new Date(Date.now() + 3_600_000).toUTCString();
const json = (o: unknown): string => JSON.stringify(o);
const detail = (status: number, extra: Record<string, unknown> = {}): string =>
  json({ type: 'https://api.example/problems/x', title: 'Failure', status, detail: 'it failed', ...extra });

function without<T extends Record<string, string>>(o: T, key: keyof T): Record<string, string> {
  const copy: Record<string, string> = { ...o };
  delete copy[key as string];
  return copy;
}

/** What a well-behaved API sends with an error. */
const GOOD = { 'content-type': 'application/problem+json', 'cache-control': 'no-store', 'x-request-id': 'r-1' };
const good = (status: number, headers: OutgoingHttpHeaders = {}, body: string | Buffer = detail(status)): Route =>
  plain(status, { ...GOOD, ...headers }, body);

/** A response head and body as raw bytes; Content-Length is added unless `length` says otherwise. */
function wire(
  statusLine: string,
  fields: string[],
  body: string | Buffer = '',
  o: { length?: number | null; end?: boolean; date?: boolean } = {},
): Route {
  const b = typeof body === 'string' ? Buffer.from(body) : body;
  const lines = [statusLine, ...(o.date === false ? [] : [`Date: ${now()}`]), ...fields];
  if (o.length !== null) lines.push(`Content-Length: ${o.length ?? b.length}`);
  return (req, res) =>
    raw(Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), b]).toString('latin1'), { end: o.end })(req, res);
}
const GOOD_FIELDS = ['Content-Type: application/problem+json', 'Cache-Control: no-store', 'X-Request-Id: r-1'];
const chunk = (s: string): string => `${Buffer.byteLength(s).toString(16)}\r\n${s}\r\n`;

export const CORRECT: CorpusCase[] = [
  { name: 'ok-507-put', route: problem(507), method: 'PUT', ids: [] },
  { name: 'ok-503-retry-seconds', route: good(503, { 'retry-after': '120' }), ids: [] },
  { name: 'ok-429-retry-date', route: (q, s) => good(429, { 'retry-after': hourFromNow() })(q, s), ids: [] },
  { name: 'ok-401-challenge', route: good(401, { 'www-authenticate': 'Bearer realm="api"' }), ids: [] },
  { name: 'ok-405-allow', route: good(405, { allow: 'GET, HEAD' }), method: 'PUT', ids: [] },
  { name: 'ok-404', route: good(404), ids: [] },
  { name: 'ok-416-range', route: good(416, { 'content-range': 'bytes */100' }), headers: [['Range', 'bytes=200-300']], ids: [] },
  {
    name: 'ok-304',
    route: plain(304, { etag: '"v1"', 'cache-control': 'max-age=60' }),
    headers: [['If-None-Match', '"v1"']],
    ids: [],
  },
  {
    name: 'ok-500-gzip',
    route: good(500, { 'content-encoding': 'gzip', vary: 'Accept-Encoding' }, gzipSync(detail(500))),
    headers: [['Accept-Encoding', 'gzip, br']],
    ids: [],
  },
  {
    name: 'ok-500-chunked',
    route: wire(
      'HTTP/1.1 500 Internal Server Error',
      [...GOOD_FIELDS, 'Transfer-Encoding: chunked'],
      `${chunk(detail(500).slice(0, 20))}${chunk(detail(500).slice(20))}0\r\n\r\n`,
      { length: null },
    ),
    ids: [],
  },
  {
    name: 'ok-502-cors-star',
    route: good(502, { 'access-control-allow-origin': '*' }),
    headers: [['Origin', 'https://app.example']],
    ids: [],
  },
  {
    name: 'ok-500-cors-echo',
    route: good(500, {
      'access-control-allow-origin': 'https://app.example',
      'access-control-allow-credentials': 'true',
      vary: 'Origin',
    }),
    headers: [['Origin', 'https://app.example']],
    ids: [],
  },
  { name: 'ok-200-utf8-text', route: plain(200, { 'content-type': 'text/plain; charset=utf-8' }, 'café ✓'), ids: [] },
  { name: 'ok-head-404', route: good(404), method: 'HEAD', ids: [] },
  { name: 'ok-500-no-cache', route: good(500, { 'cache-control': 'no-cache' }), ids: [] },
  // RFC 9111 §3: a response to PUT is never stored, so its freshness is moot (issue 17's false positive).
  { name: 'ok-507-put-max-age', route: good(507, { 'cache-control': 'max-age=600' }), method: 'PUT', ids: [] },
  {
    name: 'ok-404-delete-uncached',
    route: plain(404, { 'content-type': 'application/problem+json', 'x-request-id': 'r' }, detail(404)),
    method: 'DELETE',
    ids: [],
  },
  {
    name: 'ok-401-clears-cookie',
    route: good(401, { 'www-authenticate': 'Basic realm="x"', 'set-cookie': 'sid=; Max-Age=0; Path=/' }),
    ids: [],
  },
  {
    name: 'ok-503-no-date',
    route: wire('HTTP/1.1 503 Service Unavailable', [...GOOD_FIELDS, 'Retry-After: 5'], detail(503), { date: false }),
    ids: [],
  },
];

export const BROKEN: CorpusCase[] = [
  // Framing, from raw bytes.
  {
    name: 'te-and-cl',
    route: wire(
      'HTTP/1.1 500 Internal Server Error',
      [...GOOD_FIELDS, 'Transfer-Encoding: chunked'],
      `${chunk(detail(500))}0\r\n\r\n`,
      { length: 5 },
    ),
    ids: ['transfer-encoding-with-content-length'],
  },
  {
    name: 'chunk-bad-size',
    route: wire(
      'HTTP/1.1 500 Internal Server Error',
      [...GOOD_FIELDS, 'Transfer-Encoding: chunked'],
      `zz\r\n${detail(500)}\r\n0\r\n\r\n`,
      { length: null },
    ),
    ids: ['chunked-encoding-invalid'],
  },
  {
    name: 'chunk-longer-than-size',
    route: wire(
      'HTTP/1.1 500 Internal Server Error',
      [...GOOD_FIELDS, 'Transfer-Encoding: chunked'],
      `3\r\n${detail(500)}\r\n0\r\n\r\n`,
      { length: null },
    ),
    ids: ['chunked-encoding-invalid'],
  },
  {
    name: 'chunk-no-last',
    route: wire('HTTP/1.1 500 Internal Server Error', [...GOOD_FIELDS, 'Transfer-Encoding: chunked'], chunk(detail(500)), {
      length: null,
      end: true,
    }),
    ids: ['chunked-encoding-invalid'],
  },
  {
    name: 'cl-short',
    route: wire('HTTP/1.1 500 Internal Server Error', GOOD_FIELDS, detail(500), { length: 500, end: true }),
    ids: ['content-length-mismatch'],
  },
  {
    name: 'cl-long',
    route: wire('HTTP/1.1 500 Internal Server Error', GOOD_FIELDS, `${detail(500)}XXXX`, {
      length: Buffer.byteLength(detail(500)),
    }),
    ids: ['content-length-mismatch'],
  },
  {
    name: 'cl-conflict',
    route: wire('HTTP/1.1 500 Internal Server Error', [...GOOD_FIELDS, 'Content-Length: 3'], detail(500), { end: true }),
    ids: ['content-length-invalid'],
  },
  {
    name: 'cl-not-a-number',
    route: wire('HTTP/1.1 500 Internal Server Error', [...GOOD_FIELDS, 'Content-Length: 12abc'], detail(500), {
      length: null,
      end: true,
    }),
    ids: ['content-length-invalid'],
  },
  {
    name: 'head-with-body',
    route: wire('HTTP/1.1 404 Not Found', GOOD_FIELDS, detail(404)),
    method: 'HEAD',
    ids: ['body-on-bodiless-response'],
  },
  {
    name: '204-with-body',
    route: wire('HTTP/1.1 204 No Content', [], 'oops', { length: null }),
    ids: ['body-on-bodiless-response'],
  },
  {
    name: '304-with-body',
    route: wire('HTTP/1.1 304 Not Modified', ['ETag: "v1"'], 'stale', { length: null }),
    headers: [['If-None-Match', '"v1"']],
    ids: ['body-on-bodiless-response'],
  },
  {
    name: 'te-not-chunked',
    route: wire('HTTP/1.1 500 Internal Server Error', [...GOOD_FIELDS, 'Transfer-Encoding: gzip'], gzipSync(detail(500)), {
      length: null,
      end: true,
    }),
    ids: ['transfer-encoding-invalid'],
  },
  {
    name: 'no-framing-open',
    route: wire('HTTP/1.1 500 Internal Server Error', GOOD_FIELDS, detail(500), { length: null }),
    options: { timeoutMs: 400 },
    ids: ['framing-missing'],
  },
  {
    name: '204-with-length',
    route: wire('HTTP/1.1 204 No Content', [], '', { length: 0 }),
    ids: ['framing-header-on-no-content'],
  },
  {
    name: 'obs-fold',
    route: wire('HTTP/1.1 500 Internal Server Error', [...GOOD_FIELDS, 'X-Note: first', ' second'], detail(500)),
    ids: ['header-syntax-invalid'],
  },
  {
    name: 'space-before-colon',
    route: wire('HTTP/1.1 500 Internal Server Error', [...GOOD_FIELDS, 'X-Note : a'], detail(500)),
    ids: ['header-syntax-invalid'],
  },
  {
    name: 'bare-lf',
    route: raw(
      `HTTP/1.1 500 Internal Server Error\nDate: ${now()}\n${GOOD_FIELDS.join('\n')}\nContent-Length: ${detail(500).length}\n\n${detail(500)}`,
    ),
    ids: ['header-syntax-invalid'],
  },
  // Field syntax.
  {
    name: 'date-missing-404',
    route: wire('HTTP/1.1 404 Not Found', GOOD_FIELDS, detail(404), { date: false }),
    ids: ['date-missing'],
  },
  { name: 'date-iso', route: good(400, { date: '2026-01-01T00:00:00Z' }), ids: ['date-invalid'] },
  { name: 'expires-word', route: good(500, { expires: 'tomorrow' }), ids: ['expires-invalid'] },
  { name: 'cc-quoted-number', route: good(500, { 'cache-control': 'no-store, max-age="0"' }), ids: ['cache-control-invalid'] },
  { name: 'cc-conflict', route: good(500, { 'cache-control': 'no-store, max-age=3600' }), ids: ['cache-control-conflict'] },
  { name: 'cc-typo', route: good(500, { 'cache-control': 'no-store, no-cahce' }), ids: ['cache-control-unknown-directive'] },
  {
    name: 'retry-after-past',
    route: (q, s) => good(503, { 'retry-after': new Date(Date.now() - 3_600_000).toUTCString() })(q, s),
    ids: ['retry-after-past'],
  },
  {
    name: 'retry-after-date-no-date',
    route: (q, s) =>
      wire('HTTP/1.1 503 Service Unavailable', [...GOOD_FIELDS, `Retry-After: ${hourFromNow()}`], detail(503), { date: false })(
        q,
        s,
      ),
    ids: ['retry-after-date-without-date'],
  },
  { name: 'retry-after-decimal', route: good(503, { 'retry-after': '1.5' }), ids: ['retry-after-invalid'] },
  {
    name: 'content-type-twice',
    route: wire('HTTP/1.1 500 Internal Server Error', [...GOOD_FIELDS, 'Content-Type: text/html'], detail(500)),
    ids: ['content-type-repeated'],
  },
  {
    name: 'content-type-bare-word',
    route: good(500, { 'content-type': 'json' }),
    ids: ['content-type-invalid', 'error-body-unstructured'],
  },
  {
    name: 'content-location-twice',
    route: wire(
      'HTTP/1.1 500 Internal Server Error',
      [...GOOD_FIELDS, 'Content-Location: /a', 'Content-Location: /b'],
      detail(500),
    ),
    ids: ['field-repeated'],
  },
  { name: 'echoed-cookie', route: good(500, { cookie: 'session=abc' }), ids: ['request-header-in-response'] },
  // Caching (RFC 9111).
  { name: 'cacheable-max-age', route: good(500, { 'cache-control': 'public, max-age=300' }), ids: ['error-cacheable'] },
  {
    name: 'cacheable-expires',
    route: (q, s) =>
      plain(503, { ...without(GOOD, 'cache-control'), expires: hourFromNow(), 'retry-after': '5' }, detail(503))(q, s),
    ids: ['error-cacheable'],
  },
  { name: 'cacheable-s-maxage', route: good(500, { 'cache-control': 'max-age=0, s-maxage=60' }), ids: ['error-cacheable'] },
  { name: 'cacheable-private', route: good(500, { 'cache-control': 'private, max-age=600' }), ids: ['error-cacheable-private'] },
  {
    name: 'heuristic-404',
    route: plain(404, { 'content-type': 'application/problem+json', 'x-request-id': 'r' }, detail(404)),
    ids: ['error-cache-heuristic'],
  },
  {
    name: 'unspecified-500',
    route: plain(500, { 'content-type': 'application/problem+json', 'x-request-id': 'r' }, detail(500)),
    ids: ['error-cache-unspecified'],
  },
  { name: 'etag-on-error', route: good(500, { 'cache-control': 'no-cache', etag: 'W/"e1"' }), ids: ['error-validator'] },
  // Content coding.
  { name: 'gzip-not-gzip', route: good(500, { 'content-encoding': 'gzip' }), ids: ['content-encoding-invalid'] },
  {
    name: 'br-not-offered',
    route: good(500, { 'content-encoding': 'br' }, brotliCompressSync(detail(500))),
    headers: [['Accept-Encoding', 'gzip']],
    ids: ['content-encoding-not-accepted'],
  },
  {
    name: 'deflate-raw',
    route: good(500, { 'content-encoding': 'deflate' }, deflateRawSync(detail(500))),
    ids: ['content-encoding-invalid'],
  },
  // Status against request.
  { name: '401-no-challenge', route: good(401), ids: ['401-without-www-authenticate'] },
  { name: '405-no-allow', route: good(405), method: 'PUT', ids: ['405-without-allow'] },
  { name: '405-allows-put', route: good(405, { allow: 'GET, PUT' }), method: 'PUT', ids: ['405-allows-method'] },
  { name: '416-no-content-range', route: good(416), headers: [['Range', 'bytes=200-300']], ids: ['416-without-content-range'] },
  { name: '407-no-challenge', route: good(407), ids: ['407-without-proxy-authenticate'] },
  { name: '426-no-upgrade', route: good(426), ids: ['426-without-upgrade'] },
  { name: '412-unconditional', route: good(412), method: 'PUT', ids: ['status-without-request-feature'] },
  { name: '417-no-expect', route: good(417), method: 'POST', ids: ['status-without-request-feature'] },
  { name: 'location-on-500', route: good(500, { location: '/retry' }), ids: ['header-meaningless-for-status'] },
  {
    name: 'content-type-on-304',
    route: plain(304, { 'content-type': 'text/html' }),
    headers: [['If-None-Match', '"v1"']],
    ids: ['header-meaningless-for-status'],
  },
  {
    name: '200-error-body',
    route: plain(200, { 'content-type': 'application/json' }, json({ error: 'database unavailable' })),
    ids: ['2xx-body-reports-error'],
  },
  { name: '507-get', route: problem(507), ids: ['507-on-safe-method'] },
  { name: '302-no-location', route: plain(302, { 'content-type': 'text/plain' }, 'moved'), ids: ['redirect-without-location'] },
  {
    name: '5xx-for-validation',
    route: good(500, {}, detail(500, { detail: 'field "email" is invalid' })),
    ids: ['5xx-for-client-error'],
  },
  // Body against Content-Type.
  {
    name: 'json-as-text',
    route: good(500, { 'content-type': 'text/plain' }, json({ error: 'x' })),
    ids: ['body-json-mislabelled', 'error-body-unstructured'],
  },
  {
    name: 'text-no-charset',
    route: good(500, { 'content-type': 'text/plain' }, 'Dienst nicht verfügbar'),
    ids: ['charset-missing', 'error-body-unstructured'],
  },
  {
    name: 'text-not-utf8',
    route: good(500, { 'content-type': 'text/plain; charset=utf-8' }, Buffer.from('caf\xe9', 'latin1')),
    ids: ['charset-mismatch', 'error-body-unstructured'],
  },
  { name: 'problem-status-differs', route: good(503, { 'retry-after': '5' }, detail(500)), ids: ['problem-status-mismatch'] },
  { name: 'problem-status-string', route: good(500, {}, detail(500, { status: '500' })), ids: ['problem-member-invalid'] },
  {
    name: 'json-not-json',
    route: good(500, { 'content-type': 'application/json' }, '<html>oops</html>'),
    ids: ['body-not-json', 'error-not-problem-json'],
  },
  { name: 'empty-404', route: plain(404, { 'cache-control': 'no-store', 'x-request-id': 'r' }), ids: ['error-body-empty'] },
  {
    name: 'no-content-type',
    route: plain(400, { 'cache-control': 'no-store', 'x-request-id': 'r' }, 'bad request'),
    ids: ['error-no-content-type'],
  },
  // CORS.
  {
    name: 'cors-star-credentials',
    route: good(500, { 'access-control-allow-origin': '*', 'access-control-allow-credentials': 'true' }),
    headers: [['Origin', 'https://app.example']],
    ids: ['cors-wildcard-with-credentials'],
  },
  {
    name: 'cors-two-origins',
    route: wire(
      'HTTP/1.1 500 Internal Server Error',
      [...GOOD_FIELDS, 'Access-Control-Allow-Origin: https://a.example', 'Access-Control-Allow-Origin: https://b.example'],
      detail(500),
    ),
    headers: [['Origin', 'https://a.example']],
    ids: ['cors-multiple-origins'],
  },
  {
    name: 'cors-echo-no-vary',
    route: good(500, { 'access-control-allow-origin': 'https://app.example' }),
    headers: [['Origin', 'https://app.example']],
    ids: ['cors-vary-missing'],
  },
  {
    name: 'cors-trailing-slash',
    route: good(500, { 'access-control-allow-origin': 'https://app.example/' }),
    headers: [['Origin', 'https://app.example']],
    ids: ['cors-allow-origin-invalid'],
  },
  {
    name: 'cors-null',
    route: good(500, { 'access-control-allow-origin': 'null' }),
    headers: [['Origin', 'null']],
    ids: ['cors-allow-origin-null'],
  },
  { name: 'cors-missing', route: problem(500), headers: [['Origin', 'https://app.example']], ids: ['cors-missing-on-error'] },
  // Leaks.
  { name: 'server-version', route: good(500, { server: 'Apache/2.4.41 (Ubuntu)' }), ids: ['leak-version'] },
  { name: 'powered-by', route: good(500, { 'x-powered-by': 'PHP/8.1.2' }), ids: ['leak-version'] },
  { name: 'aspnet-version', route: good(500, { 'x-aspnet-version': '4.0.30319' }), ids: ['leak-version'] },
  { name: 'cookie-on-error', route: good(500, { 'set-cookie': 'sid=abc123; Path=/; HttpOnly' }), ids: ['set-cookie-on-error'] },
  {
    name: 'location-internal',
    route: plain(302, { location: 'http://10.0.4.12:8080/next' }),
    ids: ['leak-internal-address', 'redirect-not-followed'],
  },
  { name: 'via-internal', route: good(502, { via: '1.1 edge-7.prod.internal (squid)' }), ids: ['leak-internal-address'] },
  {
    name: 'stack-trace',
    route: good(500, {}, detail(500, { detail: 'Error: boom\n    at save (/usr/src/app/dist/orders.js:42:7)' })),
    ids: ['leak-stack-trace', 'leak-file-path'],
  },
  {
    name: 'sql-error',
    route: good(500, {}, detail(500, { detail: 'SQLSTATE[42P01]: relation "users" does not exist' })),
    ids: ['leak-sql-error'],
  },
  // Opinions, reported as info.
  { name: 'no-retry-after-429', route: good(429), ids: ['retry-after-missing'] },
  { name: 'no-request-id', route: plain(500, without(GOOD, 'x-request-id'), detail(500)), ids: ['no-request-id'] },
  {
    name: 'html-error',
    route: good(500, { 'content-type': 'text/html; charset=utf-8' }, '<h1>Server Error</h1>'),
    ids: ['error-body-unstructured'],
  },
];
