import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { serveCli } from '../helpers/cli.js';
import { cleanupAfterEach } from '../helpers/cleanup.js';

const cleanups = cleanupAfterEach();

// Preloaded into the spawned CLI: at exit, the files of every CommonJS module it loaded (packages
// imported from ESM land in the same cache) are written to FAULTLINE_TEST_MODULES.
const TRACE = [
  "import { createRequire } from 'node:module';",
  "import { writeFileSync } from 'node:fs';",
  "const cache = createRequire('/').cache;",
  "process.on('exit', () => writeFileSync(process.env.FAULTLINE_TEST_MODULES, Object.keys(cache).join('\\n')));",
].join('\n');

/** Start `faultline serve` with `extra` flags, stop it, and return the module files it had loaded. */
async function modulesLoadedBy(extra: string[]): Promise<string[]> {
  const out = join(mkdtempSync(join(tmpdir(), 'faultline-modules-')), 'modules.txt');
  const proxy = await serveCli(
    ['serve', '--upstream', 'http://127.0.0.1:9', '--listen', '127.0.0.1:0', '--admin', '127.0.0.1:0', ...extra],
    {
      env: { NODE_OPTIONS: `--import=data:text/javascript,${encodeURIComponent(TRACE)}`, FAULTLINE_TEST_MODULES: out },
    },
  );
  cleanups.push(() => proxy.stop());
  // One admin round trip first: the start line is logged a moment before the signal handlers are installed.
  expect((await fetch(`http://127.0.0.1:${proxy.adminPort}/healthz`)).status).toBe(200);
  expect(await proxy.stop()).toBe(0);
  return readFileSync(out, 'utf8').split('\n');
}

describe('modules loaded at start', () => {
  it('a plain serve does not load the self-signed certificate library; --tls-self-signed does', async () => {
    const selfsigned = (files: string[]): string[] => files.filter((f) => f.includes('/node_modules/selfsigned/'));
    const plain = await modulesLoadedBy([]);
    expect(plain.length).toBeGreaterThan(10);
    expect(selfsigned(plain)).toEqual([]);
    expect(selfsigned(await modulesLoadedBy(['--tls-self-signed']))).not.toEqual([]);
  });
});
