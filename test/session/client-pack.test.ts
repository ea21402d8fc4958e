import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { cleanupAfterEach } from '../helpers/cleanup.js';
import { startProxy } from '../helpers/faultline.js';
import { countingUpstream } from '../helpers/upstream.js';

const run = promisify(execFile);
const cleanup = cleanupAfterEach();
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * A scratch project that installs faultline from its `npm pack` tarball, offline. Its lockfile
 * pins faultline's own dependencies to the versions (and integrity hashes) of this repository's
 * lockfile, which `npm ci` put in the npm cache, so nothing is fetched.
 */
function scratchProject(dir: string, tarball: string): void {
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { dev?: boolean; link?: boolean; dependencies?: Record<string, string> }>;
  };
  const spec = `file:${tarball}`;
  const packages: Record<string, unknown> = {
    '': { name: 'scratch', dependencies: { faultline: spec } },
    'node_modules/faultline': {
      version: '0.1.0',
      resolved: spec,
      dependencies: lock.packages['']?.dependencies ?? {},
      bin: { faultline: 'dist/cli/main.js' },
    },
  };
  for (const [path, entry] of Object.entries(lock.packages))
    if (path !== '' && entry.dev !== true && entry.link !== true) packages[path] = entry;
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'scratch', private: true, type: 'module', dependencies: { faultline: spec } }),
  );
  writeFileSync(
    join(dir, 'package-lock.json'),
    JSON.stringify({ name: 'scratch', lockfileVersion: 3, requires: true, packages }),
  );
}

const SCRIPT = `import { Faultline, FaultlineVerifyError } from 'faultline/client';
const [admin, proxy] = process.argv.slice(2);
const fl = new Faultline({ admin });
const s = await fl.session({ seed: 1, rules: [{ name: 'disk-full', match: { path: '/status/200' }, fault: { status: 507 } }] });
const faulted = await fetch(proxy + '/status/200', { headers: { ...s.headers } });
const plain = await fetch(proxy + '/status/200');
const stats = await s.stats();
const verified = await s.verify({ 'disk-full': 1 });
let failure = null;
try { await fl.verify(['no-such-rule']); } catch (err) { failure = { isVerifyError: err instanceof FaultlineVerifyError, message: err.message }; }
await s[Symbol.asyncDispose]();
const after = await fl.sessions();
console.log(JSON.stringify({ faulted: faulted.status, plain: plain.status, seed: s.seed, injected: stats.rules[0].injected, verified: verified.ok, failure, left: after.sessions.length }));
`;

/** A test file as a user writes one: the packed client, a session, a retry that meets the 507. */
const VITEST_FILE = `import { expect, test } from 'vitest';
import { Faultline } from 'faultline/client';

test('an upload retried after a 507 succeeds', async () => {
  const fl = new Faultline({ admin: process.env.FAULTLINE_ADMIN });
  await using s = await fl.session({ seed: 7, rules: [{ name: 'first-put-507', match: { method: PUT }, when: { times: 1 }, fault: { status: 507 } }] });
  const put = () => fetch(process.env.FAULTLINE_URL + '/upload/a.txt', { method: 'PUT', body: 'hello', headers: s.headers });
  const first = await put();
  expect(first.status).toBe(507);
  const second = await put();
  expect(second.status).toBe(201);
  expect((await s.verify({ 'first-put-507': 1 })).ok).toBe(true);
});
`.replace('method: PUT', "method: 'PUT'");

describe('faultline/client from the packed package', () => {
  it('installs offline into a scratch project and drives a real faultline from a node ESM script', async () => {
    const up = await countingUpstream();
    cleanup.push(() => up.close());
    const fl = await startProxy(up.url);
    cleanup.push(() => fl.close());
    const dir = mkdtempSync(join(tmpdir(), 'faultline-pack-'));
    cleanup.push(async () => rmSync(dir, { recursive: true, force: true }));
    const packed = await run('npm', ['pack', '--silent', '--pack-destination', dir], { cwd: ROOT });
    const tarball = join(dir, packed.stdout.trim().split('\n').pop() as string);
    const project = join(dir, 'scratch');
    mkdirSync(project);
    scratchProject(project, tarball);
    await run('npm', ['ci', '--offline', '--no-audit', '--no-fund'], { cwd: project });

    // The client module imports nothing at run time: no dependency reaches a test suite through it.
    const client = readFileSync(join(project, 'node_modules/faultline/dist/client/index.js'), 'utf8');
    expect(client).not.toMatch(/^\s*import\s/m);
    expect(readFileSync(join(project, 'node_modules/faultline/dist/client/index.d.ts'), 'utf8')).toContain('class Faultline');

    writeFileSync(join(project, 'check.mjs'), SCRIPT);
    const out = await run(process.execPath, ['check.mjs', fl.admin, fl.url], { cwd: project });
    expect(JSON.parse(out.stdout)).toEqual({
      faulted: 507,
      plain: 200,
      seed: 1,
      injected: 1,
      verified: true,
      failure: { isVerifyError: true, message: 'no-such-rule: there is no rule by that name' },
      left: 0,
    });
    // ... and from a vitest file in that project (vitest itself is lent by this repository: offline).
    symlinkSync(join(ROOT, 'node_modules/vitest'), join(project, 'node_modules/vitest'), 'dir');
    writeFileSync(join(project, 'retry.test.ts'), VITEST_FILE);
    const suite = await run(process.execPath, [join(ROOT, 'node_modules/vitest/vitest.mjs'), 'run', '--root', project], {
      cwd: project,
      env: { ...process.env, FAULTLINE_URL: fl.url, FAULTLINE_ADMIN: fl.admin },
    });
    expect(suite.stdout).toContain('1 passed');

    // The bin still works from the installed package.
    const version = await run(process.execPath, [join(project, 'node_modules/.bin/faultline'), 'version'], { cwd: project });
    expect(version.stdout.trim()).toBe('0.1.0');
  }, 120_000);
});
