import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectCommand, type InspectDeps } from '../../src/cli/inspect.js';
import { problemFor, sendProblem } from '../../src/http/problem.js';
import type { InspectJson } from '../../src/inspect/index.js';
import { plain, problem, startServer, type TestServer } from './server.js';

interface Run {
  code: number;
  out: string;
  err: string;
}

/** A stand-in for the lead's real-proxy target: faultline's own problem+json, as a rule would answer. */
const started: { status: number; methods: string[]; closed: boolean }[] = [];
const deps: InspectDeps = {
  async startStatusTarget(status) {
    const record = { status, methods: [] as string[], closed: false };
    started.push(record);
    const server = http.createServer((req, res) => {
      record.methods.push(req.method ?? '');
      req.resume();
      const body = problemFor(
        'FAULTLINE_FAULT_INJECTED',
        `injected ${status} by rule "inspect"`,
        req.url ?? '/',
        'req-7',
        status,
      );
      sendProblem(req, res, body, status === 503 || status === 429 ? { 'retry-after': '1' } : {});
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/orders/1`,
      close: () =>
        new Promise<void>((resolve) => {
          record.closed = true;
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    };
  },
};

async function run(...argv: string[]): Promise<Run> {
  let out = '';
  let err = '';
  const code = await inspectCommand(argv, { out: (s) => (out += s), err: (s) => (err += `${s}\n`) }, deps);
  return { code, out, err };
}

let server: TestServer;
let closedPort: number;

beforeAll(async () => {
  server = await startServer({
    '/ok': plain(200, { 'content-type': 'text/plain' }, 'ok'),
    '/clean-error': problem(503),
    '/cached-error': plain(
      500,
      { 'content-type': 'application/problem+json', 'cache-control': 'max-age=600', 'x-request-id': 'r' },
      '{"title":"x"}',
    ),
    '/messy': plain(500, { 'content-type': 'application/json', 'cache-control': 'max-age=600' }, '{"error":"boom"}'),
    '/warn-only': plain(500, { 'content-type': 'application/problem+json', 'x-request-id': 'r' }, '{"title":"x"}'),
    '/method': (req, res) => res.writeHead(req.method === 'DELETE' ? 204 : 405).end(),
  });
  const probe = http.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  closedPort = (probe.address() as AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
});
afterAll(() => server.close());

describe('exit codes', () => {
  it('is 0 without error findings, warnings included', async () => {
    expect((await run(`${server.url}/ok`)).code).toBe(0);
    expect((await run(`${server.url}/clean-error`)).code).toBe(0);
    const warn = await run(`${server.url}/warn-only`);
    expect(warn.code).toBe(0);
    expect(warn.out).toContain('WARNING  error-cache-unspecified');
  });

  it('is 1 with an error finding', async () => {
    const r = await run(`${server.url}/cached-error`);
    expect(r.code).toBe(1);
    expect(r.out).toContain('ERROR    error-cacheable');
  });

  it.each([
    [['http://127.0.0.1:PORT/'], 'connection refused by 127.0.0.1:'],
    [['not-a-url'], 'not an absolute URL: "not-a-url"'],
    [['--bogus', 'http://x/'], 'unknown option --bogus'],
    [[], 'a URL is required'],
    [['http://a/', 'http://b/'], 'one URL expected'],
    [['-H', 'NoColon', 'http://x/'], `-H "NoColon": expected 'Name: value'`],
    [['--timeout', 'soon', 'http://x/'], '--timeout "soon"'],
    [['http://nonexistent.invalid/'], 'cannot resolve nonexistent.invalid'],
    [['--status', '99'], '--status "99": expected an integer from 200 to 599'],
    [['--status', '507', 'http://x/'], '--status inspects faultline itself and takes no URL'],
  ])('is 2 with one line naming the problem: %j', async (argv, message) => {
    const r = await run(...argv.map((a) => a.replace('PORT', String(closedPort))));
    expect(r.code).toBe(2);
    expect(r.err).toContain(message);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).not.toMatch(/\n\s+at /);
    expect(r.out).toBe('');
  });

  it('with --json, also gives the failure as JSON', async () => {
    const r = await run('--json', `http://127.0.0.1:${closedPort}/`);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.out)).toEqual({
      ok: false,
      error: { code: 'FAULTLINE_UPSTREAM_UNREACHABLE', message: expect.stringContaining('connection refused') },
    });
  });

  it('with --json, a usage error is FAULTLINE_USAGE', async () => {
    const r = await run('--json', '--timeout', 'soon', 'http://127.0.0.1:1/');
    expect(r.code).toBe(2);
    expect(JSON.parse(r.out)).toEqual({
      ok: false,
      error: { code: 'FAULTLINE_USAGE', message: expect.stringContaining('--timeout') },
    });
    expect(r.err.trim().split('\n')).toHaveLength(1);
  });

  it('prints help with 0', async () => {
    const r = await run('--help');
    expect(r.code).toBe(0);
    expect(r.out).toContain('Usage: faultline inspect URL');
  });
});

describe('output', () => {
  it('passes -X, -H and -d through', async () => {
    const r = await run('-X', 'DELETE', '-H', 'X-Test: 1', '-d', 'payload', `${server.url}/method`);
    expect(r.code).toBe(0);
    expect(r.out).toContain('> DELETE /method HTTP/1.1');
    expect(r.out).toContain('> X-Test: 1');
    expect(r.out).toContain('> (7 bytes of body)');
    expect(r.out).toContain('< HTTP/1.1 204 No Content');
  });

  it('prints the exchange, timing, body and aligned findings as text', async () => {
    const r = await run(`${server.url}/messy`);
    const lines = r.out.split('\n');
    expect(lines[0]).toBe('> GET /messy HTTP/1.1');
    expect(lines).toContain('< HTTP/1.1 500 Internal Server Error');
    expect(r.out).toMatch(/ {2}timing {2}dns - {2}connect \d+\.\d\d ms {2}first byte \d+\.\d\d ms {2}total \d+\.\d\d ms/);
    expect(r.out).toContain('  body    16 bytes, application/json');
    expect(r.out).toContain('  | {"error":"boom"}');
    expect(r.out).toContain('Findings: 1 error, 0 warnings, 2 info');
    const findingLines = lines.filter((l) => /^ {2}(ERROR|WARNING|INFO) /.test(l));
    expect(findingLines.map((l) => l.split(/\s+/)[2])).toEqual(['error-cacheable', 'error-not-problem-json', 'no-request-id']);
    // Messages start in one column, and the why lines under them.
    const column = findingLines.map(
      (l) => l.indexOf('  ', l.indexOf('-')) + 2 + l.slice(l.indexOf('  ', l.indexOf('-')) + 2).search(/\S/),
    );
    expect(new Set(column).size).toBe(1);
    expect(lines.filter((l) => l.trimStart().startsWith('why: ')).every((l) => l.indexOf('why: ') === column[0])).toBe(true);
  });

  it('has a stable JSON shape', async () => {
    const r = await run('--json', `${server.url}/cached-error`);
    expect(r.code).toBe(1);
    const j = JSON.parse(r.out) as InspectJson;
    expect(Object.keys(j).sort()).toEqual(['corsProbe', 'counts', 'exchanges', 'findings', 'ok']);
    expect(j).toMatchObject({ ok: false, counts: { error: 1, warning: 0, info: 0 }, corsProbe: null });
    expect(j.findings[0]).toEqual({
      id: 'error-cacheable',
      severity: 'error',
      message: '500 response is fresh for 600 s in shared caches (max-age=600)',
      why: expect.any(String),
      fix: 'Send Cache-Control: no-store on errors (or a max-age no longer than the failure should be seen).',
      refs: ['https://www.rfc-editor.org/rfc/rfc9111#section-3', 'https://www.rfc-editor.org/rfc/rfc9111#section-4.2.1'],
    });
    const [ex] = j.exchanges;
    expect(Object.keys(ex!).sort()).toEqual(['request', 'response', 'timings']);
    expect(ex!.request).toMatchObject({ method: 'GET', url: `${server.url}/cached-error`, bodyBytes: 0 });
    expect(ex!.request.headers[0]).toEqual(['Host', `127.0.0.1:${server.port}`]);
    expect(ex!.response).toMatchObject({
      httpVersion: '1.1',
      status: 500,
      statusText: 'Internal Server Error',
      bodyBytes: 13,
      bodyTruncated: false,
      bodyPreview: '{"title":"x"}',
      complete: true,
      timedOut: false,
      protocolError: null,
    });
    expect(ex!.response.headers).toContainEqual(['cache-control', 'max-age=600']);
    expect(Object.keys(ex!.timings).sort()).toEqual(['connectMs', 'dnsMs', 'firstByteMs', 'tlsMs', 'totalMs']);
  });
});

describe('--format junit', () => {
  it('gives one test case per finding id, a failure for each error finding, and keeps exit code 1', async () => {
    const r = await run('--format', 'junit', `${server.url}/messy`);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(
      /^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="faultline inspect" tests="\d+" failures="1"/,
    );
    expect(r.out).toContain(
      '<testcase classname="faultline.inspect.error" name="error-cacheable" time="0">\n      <failure type="error-cacheable"',
    );
    expect(r.out).toContain(
      '<testcase classname="faultline.inspect.info" name="no-request-id" time="0">\n      <system-out>INFO no-request-id',
    );
    expect(r.out).toContain('<testcase classname="faultline.inspect.error" name="leak-stack-trace" time="0"></testcase>');
  });

  it('refuses an unknown format, and --json with another format', async () => {
    expect((await run('--format', 'xml', `${server.url}/ok`)).err).toContain('--format "xml": expected text, json or junit');
    expect((await run('--json', '--format', 'junit', `${server.url}/ok`)).code).toBe(2);
  });
});

describe("--status N: faultline's own answers are clean", () => {
  it.each([400, 404, 429, 500, 502, 503, 504, 507])('%i has no errors or warnings', async (status) => {
    const r = await run('--json', '--status', String(status));
    const j = JSON.parse(r.out) as InspectJson;
    expect(r.code).toBe(0);
    expect(j.exchanges[0]!.response.status).toBe(status);
    expect(j.findings.filter((f) => f.severity !== 'info')).toEqual([]);
    const target = started.at(-1)!;
    expect(target).toMatchObject({ status, closed: true });
    expect(target.methods).toEqual([status === 507 ? 'PUT' : 'GET']);
  });

  it('lets -X choose the method, so a 507 on GET is reported', async () => {
    const r = await run('-X', 'GET', '--status', '507');
    expect(r.code).toBe(0);
    expect(r.out).toContain('WARNING  507-on-safe-method');
  });
});
