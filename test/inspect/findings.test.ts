import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspect, type InspectOptions, type InspectRequest } from '../../src/inspect/index.js';
import { plain, problem, raw, startServer, type Route, type TestServer } from './server.js';

const PROBLEM = { 'content-type': 'application/problem+json', 'cache-control': 'no-store', 'x-request-id': 'r1' };
const json = (o: unknown): string => JSON.stringify(o);
const future = new Date(Date.now() + 3_600_000).toUTCString();

interface Case {
  name: string;
  route: Route;
  ids: string[];
  method?: string;
  headers?: [string, string][];
  options?: InspectOptions;
}

// One route per finding (and the clean ones), each asserting the exact set of finding ids.
const CASES: Case[] = [
  { name: 'clean-200', route: plain(200, { 'content-type': 'text/plain' }, 'ok'), ids: [] },
  { name: 'clean-problem-503', route: problem(503), ids: [] },
  { name: 'clean-problem-507-put', route: problem(507), method: 'PUT', ids: [] },
  {
    name: 'clean-head',
    route: plain(200, { 'content-type': 'text/plain', 'content-length': '2' }, 'ok'),
    method: 'HEAD',
    ids: [],
  },
  {
    name: 'no-content-type',
    route: plain(400, { 'cache-control': 'no-store', 'x-request-id': 'r' }, 'bad request'),
    ids: ['error-no-content-type'],
  },
  {
    name: 'unstructured-html',
    route: plain(500, { ...PROBLEM, 'content-type': 'text/html' }, '<h1>Server Error</h1>'),
    ids: ['error-body-unstructured'],
  },
  {
    name: 'unstructured-empty',
    route: plain(404, { 'cache-control': 'no-store', 'x-request-id': 'r' }),
    ids: ['error-body-unstructured'],
  },
  { name: 'unstructured-bad-json', route: plain(400, PROBLEM, '{"title": oops'), ids: ['error-body-unstructured'] },
  {
    name: 'not-problem-json',
    route: plain(400, { ...PROBLEM, 'content-type': 'application/json; charset=utf-8' }, json({ error: 'nope' })),
    ids: ['error-not-problem-json'],
  },
  {
    name: 'cacheable-max-age',
    route: plain(500, { ...PROBLEM, 'cache-control': 'public, max-age=300' }, json({ title: 'x' })),
    ids: ['error-cacheable'],
  },
  {
    name: 'cacheable-expires',
    route: plain(500, { 'content-type': 'application/problem+json', 'x-request-id': 'r', expires: future }, json({ title: 'x' })),
    ids: ['error-cacheable'],
  },
  {
    name: 'cache-unspecified',
    route: plain(500, { 'content-type': 'application/problem+json', 'x-request-id': 'r' }, json({ title: 'x' })),
    ids: ['error-cache-unspecified'],
  },
  { name: 'cache-max-age-0', route: plain(500, { ...PROBLEM, 'cache-control': 'max-age=0' }, json({ title: 'x' })), ids: [] },
  { name: 'retry-after-missing-503', route: plain(503, PROBLEM, json({ title: 'x' })), ids: ['retry-after-missing'] },
  { name: 'retry-after-missing-429', route: plain(429, PROBLEM, json({ title: 'x' })), ids: ['retry-after-missing'] },
  { name: 'retry-after-invalid', route: problem(503, { headers: { 'retry-after': '1.5' } }), ids: ['retry-after-invalid'] },
  { name: 'retry-after-date', route: problem(503, { headers: { 'retry-after': future } }), ids: [] },
  { name: '507-get', route: problem(507), ids: ['507-on-safe-method'] },
  { name: '5xx-client-error', route: problem(500, { detail: 'field "email" is invalid' }), ids: ['5xx-for-client-error'] },
  {
    name: 'leak-stack',
    route: problem(500, { headers: {}, detail: 'Error: boom\n    at handler (node:internal/process/task_queues:95:5)' }),
    ids: ['leak-stack-trace'],
  },
  { name: 'leak-path', route: problem(500, { detail: 'cannot open /var/www/app/config.yml' }), ids: ['leak-file-path'] },
  {
    name: 'leak-sql',
    route: problem(500, { detail: 'SQLSTATE[42P01]: relation "users" does not exist' }),
    ids: ['leak-sql-error'],
  },
  { name: 'leak-address', route: problem(502, { detail: 'upstream 10.0.3.7:5432 unreachable' }), ids: ['leak-internal-address'] },
  {
    name: 'no-request-id',
    route: plain(500, { 'content-type': 'application/problem+json', 'cache-control': 'no-store' }, json({ title: 'x' })),
    ids: ['no-request-id'],
  },
  {
    name: 'cors-missing',
    route: problem(500),
    headers: [['Origin', 'https://app.example']],
    ids: ['cors-missing-on-error'],
  },
  {
    name: 'cors-missing-no-probe',
    route: problem(500),
    headers: [['Origin', 'https://app.example']],
    options: { corsProbe: false },
    ids: [],
  },
  { name: 'cors-no-origin', route: problem(500), ids: [] },
  {
    name: 'cors-vary-missing',
    route: problem(500, { headers: { 'access-control-allow-origin': 'https://app.example' } }),
    headers: [['Origin', 'https://app.example']],
    ids: ['cors-vary-missing'],
  },
  {
    name: 'cors-vary-present',
    route: problem(500, { headers: { 'access-control-allow-origin': 'https://app.example', vary: 'Accept, Origin' } }),
    headers: [['Origin', 'https://app.example']],
    ids: [],
  },
  {
    name: 'head-with-body',
    route: raw('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello'),
    method: 'HEAD',
    ids: ['body-on-bodiless-response'],
  },
  { name: '204-with-body', route: raw('HTTP/1.1 204 No Content\r\n\r\nhello'), ids: ['body-on-bodiless-response'] },
  { name: '304-with-body', route: raw('HTTP/1.1 304 Not Modified\r\n\r\nhello'), ids: ['body-on-bodiless-response'] },
  {
    name: 'length-short',
    route: raw('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello', { end: true }),
    ids: ['content-length-mismatch'],
  },
  { name: 'length-long', route: raw('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhello'), ids: ['content-length-mismatch'] },
  { name: 'redirect', route: plain(302, { location: '/clean-200' }), ids: ['redirect-not-followed'] },
];

let server: TestServer;

beforeAll(async () => {
  const routes: Record<string, Route> = { '/': plain(200, { 'access-control-allow-origin': '*' }, 'home') };
  for (const c of CASES) routes[`/${c.name}`] = c.route;
  // llhttp refuses conflicting lengths before any response exists (RFC 9112 §6.3 rule 5).
  routes['/length-conflict'] = raw('HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello', { end: true });
  server = await startServer(routes);
});
afterAll(() => server.close());

describe('one route per finding', () => {
  it.each(CASES)('$name → $ids', async (c) => {
    const req: InspectRequest = { url: `${server.url}/${c.name}`, headers: c.headers ?? [] };
    if (c.method !== undefined) req.method = c.method;
    const result = await inspect(req, { timeoutMs: 3000, ...c.options });
    expect(result.findings.map((f) => f.id).sort()).toEqual([...c.ids].sort());
    for (const f of result.findings) expect(f.why.length).toBeGreaterThan(20);
  });

  it('reports every id of the catalogue in some case', async () => {
    const { FINDING_IDS } = await import('../../src/inspect/index.js');
    const covered = new Set(CASES.flatMap((c) => c.ids));
    // too-many-redirects is covered in redirects.test.ts.
    expect(FINDING_IDS.filter((id) => !covered.has(id))).toEqual(['too-many-redirects']);
  });
});

describe('what the findings say', () => {
  it('names the values it saw', async () => {
    const r = await inspect({ url: `${server.url}/retry-after-invalid` });
    expect(r.findings[0]).toMatchObject({ id: 'retry-after-invalid', severity: 'error', evidence: '1.5' });
    const short = await inspect({ url: `${server.url}/length-short` });
    expect(short.findings[0]?.message).toBe('Content-Length is 10 but the connection closed after 5 bytes of body');
    expect(short.exchanges[0]?.response.complete).toBe(false);
  });

  it("fails, naming the parser's reason, when node cannot parse the response head at all", async () => {
    await expect(inspect({ url: `${server.url}/length-conflict` })).rejects.toMatchObject({
      code: 'FAULTLINE_UPSTREAM_UNREACHABLE',
      message: expect.stringContaining('Duplicate Content-Length'),
    });
  });

  it('records the probe it made for the CORS check', async () => {
    const r = await inspect({ url: `${server.url}/cors-missing`, headers: [['Origin', 'https://app.example']] });
    expect(r.corsProbe).toEqual({ url: `${server.url}/`, status: 200, allowOrigin: '*', error: null });
  });
});
