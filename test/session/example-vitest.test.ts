import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cleanupAfterEach } from '../helpers/cleanup.js';
import { startDemoUpstream, startProxy } from '../helpers/faultline.js';

const cleanup = cleanupAfterEach();
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** examples/vitest/ run as a user runs it: its own vitest process, against a real faultline. */
describe('examples/vitest', () => {
  it('passes against a real faultline and leaves no session behind', async () => {
    const up = await startDemoUpstream();
    cleanup.push(() => up.close());
    const fl = await startProxy(up.url);
    cleanup.push(() => fl.close());
    const run = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn(
        process.execPath,
        ['node_modules/vitest/vitest.mjs', 'run', '--config', 'examples/vitest/vitest.config.ts'],
        {
          cwd: ROOT,
          env: { ...process.env, FAULTLINE_URL: fl.url, FAULTLINE_ADMIN: fl.admin },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let out = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.stderr.on('data', (c: Buffer) => (out += c.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, out });
      });
    });
    expect(run.out).toContain('3 passed');
    expect(run.code, run.out).toBe(0);
    // Every session the example made was closed.
    const listing = (await (await fetch(`${fl.admin}/sessions`)).json()) as { sessions: unknown[] };
    expect(listing.sessions).toEqual([]);
  }, 90_000);
});
