import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli, serveCli } from '../helpers/cli.js';
import { scenarioFile, startDemoUpstream } from '../helpers/faultline.js';
import { request } from '../helpers/http.js';
import { cleanupAfterEach } from '../helpers/cleanup.js';
import { validateCommand } from '../../src/cli/validate.js';

/*
 * Rules that can never fire: a misspelt method is an error with a "did you mean", a method no
 * registry knows and a rule shadowed by an earlier catch-all are warnings — printed by
 * `faultline validate` (exit 0 unless --strict) and logged by `serve` at load and on reload.
 */

const cleanups = cleanupAfterEach();

const SHADOWED = `version: 1
rules:
  - name: catch-all
    fault: { status: 507 }
  - name: uploads
    match: { method: PUT, path: /upload/** }
    fault: { status: 500 }
`;

describe('method names in match.method', () => {
  it('GETT is an error with a did-you-mean at file:line:column (exit 1)', async () => {
    const file = scenarioFile(
      'version: 1\nrules:\n  - name: reads\n    match: { method: [GET, GETT] }\n    fault: { status: 503 }\n',
    );
    const r = await runCli(['validate', file]);
    expect(r.code).toBe(1);
    expect(r.stderr.split('\n')[0]).toBe(
      `${file}:4:28: rules[0].match.method[1]: unknown HTTP method "GETT" (did you mean "GET"?)`,
    );
  });

  it('accepts registered methods (WebDAV included) and common ones like PURGE without a word', async () => {
    const methods = ['GET', 'propfind', 'MKCOL', 'LOCK', 'SEARCH', 'QUERY', 'VERSION-CONTROL', 'PURGE', 'BAN'];
    const file = scenarioFile(
      `version: 1\nrules:\n  - name: dav\n    match: { method: [${methods.join(', ')}] }\n    fault: { status: 507 }\n`,
    );
    const r = await runCli(['validate', file]);
    expect(r).toMatchObject({ code: 0, stderr: '', stdout: `${file}: ok, 1 rule (1 enabled)\n` });
  });

  it('an unknown token far from every method is a warning: exit 0, or 1 with --strict', async () => {
    const file = scenarioFile(
      'version: 1\nrules:\n  - name: odd\n    match:\n      method: FROBNICATE\n    fault: { status: 500 }\n',
    );
    const r = await runCli(['validate', file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${file}: ok, 1 rule (1 enabled), 1 warning\n`);
    expect(r.stderr).toBe(
      `${file}:5:15: warning: rules[0].match.method: "FROBNICATE" is not a registered HTTP method (IANA) nor a common one like PURGE: the rule fires only for clients that send exactly this method\n`,
    );
    const strict = await runCli(['validate', '--strict', file]);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toMatch(/1 warning \(--strict: treated as problems\)\n$/);
  });
});

describe('unreachable rules', () => {
  it('a rule after an always-firing catch-all is a warning naming both positions', async () => {
    const file = scenarioFile(SHADOWED);
    const r = await runCli(['validate', file]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(
      `${file}:5:5: warning: rules[1]: rule "uploads" can never fire: rule "catch-all" (line 3) comes first, always fires and matches every request this one matches\n`,
    );
  });

  it('across files, the earlier rule is named by file:line:column', async () => {
    const first = scenarioFile(
      'version: 1\nrules:\n  - name: all-puts\n    match: { method: PUT, path: /** }\n    fault: { status: 507 }\n',
      'a.yaml',
    );
    const second = scenarioFile(
      'version: 1\nrules:\n  - name: one-put\n    match: { method: [put], path: [/x, /y/z] }\n    fault: { status: 500 }\n',
      'b.yaml',
    );
    const r = await runCli(['validate', first, second]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(
      `${second}:3:5: warning: rules[0]: rule "one-put" can never fire: rule "all-puts" (${first}:3:5) comes first, always fires and matches every request this one matches\n`,
    );
  });

  it('stays silent when the earlier rule does not always fire or matches less', async () => {
    const quiet = [
      // A probability, a counter, a window or a limit of active faults: the later rule gets the rest.
      ['when: { probability: 50% }', ''],
      ['when: { every: 2 }', ''],
      ['when: { after: 3 }', ''],
      ['when: { times: 1 }', ''],
      ['when: { window: { start: 1s } }', ''],
      ['maxActive: 1', ''],
      ['enabled: false', ''],
      // A narrower match: another method, a path, a header, a query, a regex.
      ['match: { method: GET }', 'match: { method: [GET, PUT] }'],
      ['match: { path: /a/** }', 'match: { path: /b }'],
      ['match: { path: /a/* }', 'match: { path: /a/** }'],
      ['match: { headers: { x-a: "1" } }', ''],
      ['match: { headers: { x-a: "1" } }', 'match: { headers: { x-a: "2" } }'],
      ['match: { query: { q: true } }', ''],
      ['match: { pathRegex: "^/" }', 'match: { path: /x }'],
    ];
    for (const [earlier, later] of quiet) {
      const file = scenarioFile(
        `version: 1\nrules:\n  - name: first\n    ${earlier}\n    fault: { status: 507 }\n  - name: second\n    ${later || 'enabled: true'}\n    fault: { status: 500 }\n`,
      );
      // In process: the same loader as the CLI, without a node start per case.
      const stderr: string[] = [];
      const code = await validateCommand([file], { out: () => undefined, err: (s) => stderr.push(s) });
      expect({ earlier, later, code, stderr }).toEqual({ earlier, later, code: 0, stderr: [] });
    }
  });

  it('serve logs the warnings at start and again on reload, and still serves', async () => {
    const demo = await startDemoUpstream();
    cleanups.push(() => demo.close());
    const file = scenarioFile(SHADOWED);
    const proxy = await serveCli([
      'serve',
      '--upstream',
      demo.url,
      '--listen',
      '127.0.0.1:0',
      '--admin',
      '127.0.0.1:0',
      '--scenarios',
      file,
    ]);
    cleanups.push(() => proxy.stop());
    const atLoad = proxy.lines.filter((l) => l.level === 40 && l.reason === 'load');
    expect(atLoad.map((l) => l.msg)).toEqual([
      `scenario warning: ${file}:5:5: warning: rules[1]: rule "uploads" can never fire: rule "catch-all" (line 3) comes first, always fires and matches every request this one matches`,
    ]);
    expect((await request(`http://127.0.0.1:${proxy.proxyPort}/upload/a`, { method: 'PUT', body: 'x' })).status).toBe(507);

    writeFileSync(file, SHADOWED.replace('method: PUT', 'method: [PUT, FROBNICATE]'));
    const reloaded = await proxy.waitForLine(
      (l) => l.level === 40 && l.reason === 'file change' && String(l.msg).includes('FROBNICATE'),
    );
    expect(reloaded).toMatchObject({ file, line: 6 });

    // `faultline reload` prints them too (stderr), as does the admin API's PUT /rules answer.
    const cli = await runCli(['reload', '--admin', `127.0.0.1:${proxy.adminPort}`]);
    expect(cli.code).toBe(0);
    expect(cli.stdout).toMatch(/^reloaded: 2 rules/);
    expect(cli.stderr.trim().split('\n')).toEqual([
      `${file}:5:5: warning: rules[1]: rule "uploads" can never fire: rule "catch-all" (line 3) comes first, always fires and matches every request this one matches`,
      `${file}:6:28: warning: rules[1].match.method[1]: "FROBNICATE" is not a registered HTTP method (IANA) nor a common one like PURGE: the rule fires only for clients that send exactly this method`,
    ]);
    const put = await request(`http://127.0.0.1:${proxy.adminPort}/rules`, { method: 'PUT', body: SHADOWED });
    expect(put.status).toBe(200);
    expect((JSON.parse(put.text) as { warnings: string[] }).warnings).toEqual([
      '<request>:5:5: warning: rules[1]: rule "uploads" can never fire: rule "catch-all" (line 3) comes first, always fires and matches every request this one matches',
    ]);
  });
});

describe('serve without scenario files', () => {
  it('logs one warning line saying every request passes through', async () => {
    const demo = await startDemoUpstream();
    cleanups.push(() => demo.close());
    const proxy = await serveCli(['serve', '--upstream', demo.url, '--listen', '127.0.0.1:0', '--admin', '127.0.0.1:0']);
    cleanups.push(() => proxy.stop());
    const warnings = proxy.lines.filter((l) => l.level === 40);
    expect(warnings.map((l) => l.msg)).toEqual(['no scenario files given (--scenarios): every request passes through unchanged']);
    expect((await request(`http://127.0.0.1:${proxy.proxyPort}/status/200`)).status).toBe(200);
  });
});
