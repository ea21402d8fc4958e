import { describe, expect, it } from 'vitest';
import { cachingCheck } from '../../src/inspect/checks/caching.js';
import { CHECKS } from '../../src/inspect/checks/index.js';
import { framingCheck } from '../../src/inspect/checks/framing.js';
import { leaksCheck } from '../../src/inspect/checks/leaks.js';
import { isValidRetryAfter } from '../../src/inspect/checks/retry.js';
import { statusCheck } from '../../src/inspect/checks/status.js';
import { FINDINGS, FINDING_IDS } from '../../src/inspect/index.js';
import { fakeExchange, input } from './fake.js';

const leakIds = (text: string, url?: string): string[] =>
  leaksCheck.run(input(fakeExchange(url === undefined ? { text } : { text, url }))).map((f) => f.id);

describe('catalogue and registry', () => {
  it('gives every id exactly one check, a kebab-case name and a one-sentence why', () => {
    const fromChecks = CHECKS.flatMap((c) => [...c.ids]);
    expect([...fromChecks].sort()).toEqual([...FINDING_IDS].sort());
    expect(new Set(fromChecks).size).toBe(fromChecks.length);
    for (const id of FINDING_IDS) {
      expect(id).toMatch(/^[a-z0-9]+(?:-[a-z0-9]+)*$/);
      expect(FINDINGS[id].why).toMatch(/^[A-Z0-9].*\.$/);
      expect(FINDINGS[id].why.replace(/\b(?:e\.g|etc)\./g, '').split(/\. /)).toHaveLength(1);
    }
  });
});

describe('leak patterns', () => {
  it.each([
    ['node, in JSON', '{"stack":"Error: x\\n    at Object.handler (node:internal/modules/cjs/loader:1105:14)"}'],
    ['node, anonymous', 'at node:internal/process/task_queues:95:5'],
    ['python', 'Traceback (most recent call last):\n  File "app.py", line 3, in <module>'],
    ['java', 'at com.example.OrderService.place(OrderService.java:42)'],
    ['java native', 'at java.base/jdk.internal.reflect.NativeMethodAccessorImpl.invoke0(Native Method)'],
    ['.NET', 'at Shop.Orders.Place() in D:\\build\\Orders.cs:line 12'],
    ['go', 'goroutine 1 [running]:\nmain.main()'],
    ['ruby', "app/models/order.rb:12:in `place'"],
  ])('finds a %s stack trace', (_name, text) => {
    expect(leakIds(text)).toContain('leak-stack-trace');
  });

  it.each([
    ['home', 'open /home/deploy/app/.env failed'],
    ['var/www', '"file": "/var/www/html/index.php"'],
    ['source location', 'failed at /srv/x/y.ts:10'],
    ['windows', 'C:\\inetpub\\wwwroot\\web.config'],
    ['windows, in JSON', '"C:\\\\Users\\\\build\\\\app.js"'],
  ])('finds a %s file path', (_name, text) => {
    expect(leakIds(text)).toEqual(['leak-file-path']);
  });

  it.each([
    'SQLSTATE[23505]: Unique violation',
    'ERROR: syntax error at or near "FROM"',
    'ORA-00942: table or view does not exist',
    'SQLITE_CONSTRAINT: UNIQUE constraint failed',
    'ER_DUP_ENTRY: Duplicate entry',
    'You have an error in your SQL syntax; check the manual',
    'duplicate key value violates unique constraint "users_pkey"',
    'E11000 duplicate key error collection',
  ])('finds database error text: %s', (text) => {
    expect(leakIds(text)).toEqual(['leak-sql-error']);
  });

  it.each([
    '10.12.0.7',
    '172.20.1.1',
    '192.168.1.20',
    '127.0.0.1:6379',
    'localhost:5432',
    'db-1.prod.internal',
    'ip-10-0-0-1.ec2.internal',
    'printer.local.',
  ])('finds the internal address %s', (addr) => {
    expect(leakIds(`connect failed to ${addr}`)).toEqual(['leak-internal-address']);
  });

  it.each([
    ['a time', 'outage at 10:30:45 UTC'],
    ['a public address', 'served by 8.8.8.8 and 172.32.0.1'],
    ['loopback without a port', 'bound to 127.0.0.1'],
    ['a longer dotted number', 'version 1.10.0.1.2 and 110.0.0.1'],
    ['a file name ending in .local.json', 'see settings.local.json'],
    [
      'faultline problem+json',
      JSON.stringify({
        type: 'https://faultline.dev/problems/fault-injected',
        title: 'Insufficient Storage',
        status: 507,
        detail: 'injected',
        instance: '/orders/1',
        requestId: 'a1',
      }),
    ],
  ])('stays quiet on %s', (_name, text) => {
    expect(leakIds(text)).toEqual([]);
  });

  it('ignores the request path and host the body echoes back', () => {
    const url = 'http://10.0.0.5:8080/home/alice/files';
    const body = { instance: '/home/alice/files', detail: 'from 10.0.0.5:8080, see http://10.0.0.5:8080/home/alice/files.' };
    expect(leakIds(JSON.stringify(body), url)).toEqual([]);
  });

  it('still sees a leak that merely contains the request path', () => {
    const text = 'Error: db\n    at save (/usr/src/app/dist/orders.js:42:7)';
    expect(leakIds(text, 'http://api.example/orders')).toEqual(['leak-stack-trace', 'leak-file-path']);
  });
});

describe('Retry-After', () => {
  it.each([
    '0',
    '120',
    'Wed, 21 Oct 2015 07:28:00 GMT',
    'Wednesday, 21-Oct-15 07:28:00 GMT',
    'Wed Oct 21 07:28:00 2015',
    'Sun Nov  6 08:49:37 1994',
  ])('accepts %s', (v) => expect(isValidRetryAfter(v)).toBe(true));
  it.each(['1.5', '-1', 'soon', '2015-10-21T07:28:00Z', '', '10s', 'Wed, 21 Oct 2015 07:28:00 UTC'])('rejects %j', (v) =>
    expect(isValidRetryAfter(v)).toBe(false),
  );
});

describe('pure checks on hand-made exchanges', () => {
  it('reads a list of identical Content-Length values as one (RFC 9110 §8.6) and others as invalid', () => {
    const ok = fakeExchange({ status: 200, headers: [['Content-Length', '5, 5']], text: 'hello' });
    expect(framingCheck.run(input(ok))).toEqual([]);
    const bad = fakeExchange({ status: 200, headers: [['Content-Length', '5, 6']], text: 'hello' });
    expect(framingCheck.run(input(bad)).map((f) => [f.id, f.message])).toEqual([
      ['content-length-invalid', 'Content-Length has different values: 5, 6'],
    ]);
  });

  it('lets s-maxage override max-age=0, and an invalid Expires count as expired (RFC 9111 §4.2.1, §5.3)', () => {
    const run = (headers: [string, string][]): string[] =>
      cachingCheck.run(input(fakeExchange({ status: 503, headers }))).map((f) => f.id);
    expect(run([['Cache-Control', 'max-age=0, s-maxage=60']])).toEqual(['error-cacheable']);
    expect(run([['Expires', '0']])).toEqual([]);
    expect(run([['Cache-Control', 'private, max-age=60']])).toEqual(['error-cacheable-private']);
    expect(run([['Cache-Control', 'public']])).toEqual(['error-cache-heuristic']);
    expect(run([['Cache-Control', 'no-cache="set-cookie", max-age=60']])).toEqual(['error-cacheable']);
    expect(
      run([
        ['Cache-Control', 'max-age=60'],
        ['Vary', '*'],
      ]),
    ).toEqual([]);
    expect(cachingCheck.run(input(fakeExchange({ status: 200 })))).toEqual([]);
  });

  it("does not call a gateway's report of an invalid upstream answer a client error", () => {
    const run = (status: number): string[] =>
      statusCheck.run(input(fakeExchange({ status, text: 'upstream sent an invalid response' }))).map((f) => f.id);
    expect(run(502)).toEqual([]);
    expect(run(500)).toEqual(['5xx-for-client-error']);
  });
});

describe('caching per RFC 9111 §3: only responses to cacheable methods are stored', () => {
  const run = (method: string, headers: [string, string][], requestHeaders: [string, string][] = []): string[] =>
    cachingCheck
      .run(input(fakeExchange({ status: 507, method, headers, requestHeaders, url: 'http://api.example/files/a' })))
      .map((f) => f.id);

  it('never reports a response to PUT or DELETE, whatever its freshness', () => {
    expect(run('PUT', [['Cache-Control', 'max-age=600']])).toEqual([]);
    expect(run('DELETE', [])).toEqual([]);
  });

  it('stores a POST response only with explicit freshness and Content-Location equal to the target (RFC 9110 §9.3.3)', () => {
    expect(run('POST', [['Cache-Control', 'max-age=600']])).toEqual([]);
    expect(
      run('POST', [
        ['Cache-Control', 'max-age=600'],
        ['Content-Location', '/files/a'],
      ]),
    ).toEqual(['error-cacheable']);
  });

  it('keeps shared caches out of a response to a request with Authorization (§3.5), but not browsers', () => {
    expect(run('GET', [['Cache-Control', 'max-age=60']], [['Authorization', 'Bearer t']])).toEqual(['error-cacheable-private']);
    expect(run('GET', [['Cache-Control', 'public, max-age=60']], [['Authorization', 'Bearer t']])).toEqual(['error-cacheable']);
  });

  it('does not store anything the request said no-store about', () => {
    expect(run('GET', [['Cache-Control', 'max-age=60']], [['Cache-Control', 'no-store']])).toEqual([]);
  });
});
