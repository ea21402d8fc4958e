import { describe, it, expect } from 'vitest';
import { queryParam } from '../../src/scenario/query.js';
import { compileMatcher } from '../../src/scenario/matchers.js';
import { req, ruleSet } from './helpers.js';

/** Does a one-rule set whose rule has this `match` (YAML flow mapping) match the request? */
function matches(
  match: string,
  method: string,
  path: string,
  query = '',
  headers: Record<string, string | string[]> = {},
): boolean {
  const set = ruleSet(`  - name: r\n    match: ${match}\n    fault: { status: 507 }\n`);
  return set.select(req(method, headers), path, query, 0) !== null;
}

describe('match', () => {
  it('matches everything when empty or absent', () => {
    expect(matches('{}', 'GET', '/anything')).toBe(true);
    const set = ruleSet('  - name: r\n    fault: { status: 507 }\n');
    expect(set.select(req('DELETE'), '/', '', 0)?.name).toBe('r');
  });

  it('matches a method or a list of methods, case-insensitively in the file', () => {
    expect(matches('{ method: get }', 'GET', '/')).toBe(true);
    expect(matches('{ method: GET }', 'POST', '/')).toBe(false);
    expect(matches('{ method: [PUT, POST] }', 'POST', '/')).toBe(true);
    expect(matches('{ method: [PUT, POST] }', 'GET', '/')).toBe(false);
  });

  it('matches a gRPC service and method as the path gRPC gives the call', () => {
    const get = '{ grpc: { service: pkg.v1.Files, method: Get } }';
    expect(matches(get, 'POST', '/pkg.v1.Files/Get')).toBe(true);
    expect(matches(get, 'POST', '/pkg.v1.Files/GetAll')).toBe(false);
    expect(matches(get, 'POST', '/pkg.v1.Files/get')).toBe(false);
    expect(matches(get, 'POST', '/pkg.v1.FilesX/Get')).toBe(false);
    const any = '{ grpc: { service: pkg.v1.Files }, headers: { content-type: /^application\\/grpc/ } }';
    expect(matches(any, 'POST', '/pkg.v1.Files/Put', '', { 'content-type': 'application/grpc+proto' })).toBe(true);
    expect(matches(any, 'POST', '/pkg.v1.Files/Put/extra', '', { 'content-type': 'application/grpc' })).toBe(false);
    expect(matches(any, 'POST', '/pkg.v1.Other/Put', '', { 'content-type': 'application/grpc' })).toBe(false);
    expect(matches(any, 'POST', '/pkg.v1.Files/Put', '', { 'content-type': 'application/json' })).toBe(false);
  });

  it('compares an exact path as a string', () => {
    expect(matches('{ path: /echo }', 'GET', '/echo')).toBe(true);
    expect(matches('{ path: /echo }', 'GET', '/echo/')).toBe(false);
    expect(matches('{ path: /echo }', 'GET', '/ECHO')).toBe(false);
  });

  it('matches globs: * is one segment, ** any depth (dotfiles included)', () => {
    expect(matches('{ path: /files/* }', 'GET', '/files/a')).toBe(true);
    expect(matches('{ path: /files/* }', 'GET', '/files/a/b')).toBe(false);
    expect(matches('{ path: /files/** }', 'GET', '/files/a/b/c')).toBe(true);
    expect(matches('{ path: /files/** }', 'GET', '/files/.hidden')).toBe(true);
    expect(matches('{ path: /files/** }', 'GET', '/filesystem')).toBe(false);
    expect(matches('{ path: "/files/**/*.zip" }', 'GET', '/files/a/b.zip')).toBe(true);
    expect(matches('{ path: "/files/**/*.zip" }', 'GET', '/files/a/b.tar')).toBe(false);
    expect(matches('{ path: "/x/{a,b}" }', 'GET', '/x/b')).toBe(true);
  });

  it('matches any of a list mixing exact paths and globs', () => {
    const m = '{ path: [/echo, /bytes/*] }';
    expect(matches(m, 'GET', '/echo')).toBe(true);
    expect(matches(m, 'GET', '/bytes/10')).toBe(true);
    expect(matches(m, 'GET', '/status/500')).toBe(false);
  });

  it('matches pathRegex', () => {
    expect(matches('{ pathRegex: "^/v\\\\d+/" }', 'GET', '/v2/items')).toBe(true);
    expect(matches('{ pathRegex: "^/v\\\\d+/" }', 'GET', '/api/v2/items')).toBe(false);
  });

  it('matches headers: exact, /regex/, true = present; a repeated header by any value', () => {
    const m = '{ headers: { x-tenant: acme, x-debug: "/^(1|true)$/i", x-trace: true } }';
    const ok = { 'x-tenant': 'acme', 'x-debug': 'TRUE', 'x-trace': '' };
    expect(matches(m, 'GET', '/', '', ok)).toBe(true);
    expect(matches(m, 'GET', '/', '', { ...ok, 'x-tenant': 'acme2' })).toBe(false);
    expect(matches(m, 'GET', '/', '', { ...ok, 'x-debug': '0' })).toBe(false);
    expect(matches(m, 'GET', '/', '', { 'x-tenant': 'acme', 'x-debug': '1' })).toBe(false);
    expect(matches('{ headers: { X-Tenant: acme } }', 'GET', '/', '', { 'x-tenant': ['other', 'acme'] })).toBe(true);
    expect(matches('{ headers: { x-version: 2 } }', 'GET', '/', '', { 'x-version': '2' })).toBe(true);
  });

  it('matches query parameters on the raw query string', () => {
    const m = '{ query: { dryRun: "1", mode: "/^fast/", flag: true } }';
    expect(matches(m, 'GET', '/', 'a=b&dryRun=1&mode=faster&flag')).toBe(true);
    expect(matches(m, 'GET', '/', 'dryRun=0&mode=fast&flag=')).toBe(false);
    expect(matches(m, 'GET', '/', 'dryRun=1&mode=fast')).toBe(false);
    expect(matches('{ query: { q: "a b" } }', 'GET', '/', 'q=a+b')).toBe(true);
    expect(matches('{ query: { q: "a/b" } }', 'GET', '/', 'q=a%2Fb')).toBe(true);
  });

  it('requires every given condition', () => {
    const m = '{ method: PUT, path: /upload/**, headers: { x-tenant: acme } }';
    expect(matches(m, 'PUT', '/upload/f', '', { 'x-tenant': 'acme' })).toBe(true);
    expect(matches(m, 'POST', '/upload/f', '', { 'x-tenant': 'acme' })).toBe(false);
    expect(matches(m, 'PUT', '/download/f', '', { 'x-tenant': 'acme' })).toBe(false);
    expect(matches(m, 'PUT', '/upload/f', '', {})).toBe(false);
  });

  it('does not read headers for a rule without header conditions', () => {
    const set = ruleSet('  - name: r\n    match: { path: /a }\n    fault: { status: 507 }\n');
    const trap = {
      method: 'GET',
      get headers(): never {
        throw new Error('headers read');
      },
    };
    expect(set.select(trap as never, '/a', '', 0)?.name).toBe('r');
  });
});

describe('queryParam', () => {
  it('finds the first value, decodes it, and tells absent from empty', () => {
    expect(queryParam('a=1&b=2&a=3', 'a')).toBe('1');
    expect(queryParam('a=1&b=2', 'b')).toBe('2');
    expect(queryParam('flag&x=1', 'flag')).toBe('');
    expect(queryParam('ab=1', 'a')).toBe(undefined);
    expect(queryParam('', 'a')).toBe(undefined);
    expect(queryParam('a=%E2%9C%93', 'a')).toBe('✓');
    expect(queryParam('a=%zz', 'a')).toBe('%zz');
    expect(queryParam('dry%52un=1', 'dryRun')).toBe('1');
  });
});

describe('the literal-prefix pre-check agrees with the RegExp', () => {
  const cases: [Parameters<typeof compileMatcher>[0], string, boolean][] = [
    [{ path: ['/uploads-1/**'] }, '/uploads-1/a/b', true],
    [{ path: ['/uploads-1/**'] }, '/uploads-10/a', false],
    [{ path: ['/a/*/b', '/a/**/c'] }, '/a/x/b', true],
    [{ path: ['/a/*/b', '/a/**/c'] }, '/b/x/b', false],
    [{ path: ['/x/**', '/y/**'] }, '/y/1', true],
    [{ pathRegex: { source: '^/v2/', flags: '' } }, '/v2/x', true],
    [{ pathRegex: { source: '^/v2/', flags: '' } }, '/v3/x', false],
    [{ pathRegex: { source: '^/vx?/', flags: '' } }, '/v/', true],
    [{ pathRegex: { source: '^/ab*c', flags: '' } }, '/ac', true],
    [{ pathRegex: { source: '^/ab{0,2}c', flags: '' } }, '/ac', true],
    [{ pathRegex: { source: '^/a.b', flags: '' } }, '/axb', true],
    [{ pathRegex: { source: '^/(x|y)', flags: '' } }, '/y', true],
    [{ pathRegex: { source: '^/API', flags: 'i' } }, '/api', true],
    [{ pathRegex: { source: 'files$', flags: '' } }, '/my/files', true],
  ];
  for (const [def, path, expected] of cases) {
    it(`${JSON.stringify(def)} on ${path}: ${expected}`, () => {
      expect(compileMatcher(def as never)({ method: 'GET', headers: {} } as never, path, '')).toBe(expected);
    });
  }
});
