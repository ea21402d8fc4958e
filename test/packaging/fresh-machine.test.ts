import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { OPENSSL, requires } from '../helpers/requires.js';

/*
 * A fresh machine without the optional Debian packages: `npm test` still passes, and ends with one
 * line per missing program naming its package, plus the apt-get line. FAULTLINE_TEST_WITHOUT makes
 * test/helpers/requires.ts treat the programs as missing; here two whole files depend on them.
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const VITEST = fileURLToPath(new URL('../../node_modules/vitest/vitest.mjs', import.meta.url));

function vitest(files: string[], env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [VITEST, 'run', '--config', 'test/vitest.config.ts', ...files], {
      cwd: ROOT,
      env: { ...process.env, ...env, NO_COLOR: '1', FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

describe('npm test on a machine without the optional packages', () => {
  it('skips what needs them, passes, and lists the packages once at the end', async () => {
    const r = await vitest(['test/redis/store.test.ts', 'test/proxy/https.test.ts'], {
      FAULTLINE_TEST_WITHOUT: 'redis-server,openssl',
    });
    expect(r.code, r.out).toBe(0);
    const summary = r.out.slice(r.out.indexOf('Some tests need system programs that are not installed:'));
    expect(summary.trim().split('\n')).toEqual([
      'Some tests need system programs that are not installed:',
      '  skipped: openssl not found (Debian package openssl): 1 test file(s): test/proxy/https.test.ts',
      '  skipped: redis-server not found (Debian package redis-server): 1 test file(s): test/redis/store.test.ts',
      '  install them (Debian/Ubuntu): sudo apt-get install -y openssl redis-server',
    ]);
    expect(r.out.match(/Some tests need system programs/g)).toHaveLength(1);
  });

  it.skipIf(!requires(OPENSSL, import.meta.url))('says nothing when every program is there', async () => {
    const r = await vitest(['test/proxy/https.test.ts'], { FAULTLINE_TEST_WITHOUT: '' });
    expect(r.code, r.out).toBe(0);
    expect(r.out).not.toContain('Some tests need system programs');
  });
});
