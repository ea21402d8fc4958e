import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/*
 * Sessions are validated with the scenario parser (yaml + zod, ~20 MiB). A first version imported
 * it at start-up, so a pass-through proxy without scenarios paid for it; it is loaded on the
 * first session now. This starts the built faultline in a child process with a resolve hook that
 * reports those two packages, then creates one session.
 */
const SCRIPT = `
import { register } from 'node:module';
register('data:text/javascript,' + encodeURIComponent(
  "export async function resolve(s, c, n) { const r = await n(s, c); const m = /node_modules\\\\/(yaml|zod)\\\\//.exec(r.url); if (m) console.log('LOADED ' + m[1]); return r; }"));
const { startFaultline } = await import('./dist/app/faultline.js');
const { loadSettings } = await import('./dist/config/load.js');
const { createLogger } = await import('./dist/log/logger.js');
const settings = loadSettings({ flags: new Map([['upstream', 'http://127.0.0.1:9'], ['listen', '127.0.0.1:0'], ['admin', '127.0.0.1:0']]), env: {}, configFile: null });
const app = await startFaultline(settings, { log: createLogger({ level: 'silent' }), watch: false });
console.log('STARTED');
const res = await fetch('http://127.0.0.1:' + app.adminAddress.port + '/sessions', { method: 'POST', body: '{"rules": []}' });
console.log('SESSION ' + res.status);
await app.close(100);
`;

describe('start-up cost', () => {
  it('a proxy without scenarios loads the session parser (yaml, zod) only with its first session', async () => {
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', SCRIPT], { cwd: ROOT });
    const lines = [...new Set(stdout.trim().split('\n'))];
    expect(lines.slice(0, 1)).toEqual(['STARTED']);
    expect(lines).toContain('SESSION 201');
    expect(lines).toContain('LOADED yaml');
    expect(lines.indexOf('LOADED yaml')).toBeGreaterThan(0);
  });
});
