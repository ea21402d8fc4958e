import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { serveCli, type Served } from '../helpers/cli.js';
import { scenarioFile, startDemoUpstream } from '../helpers/faultline.js';
import { request } from '../helpers/http.js';
import { cleanupAfterEach } from '../helpers/cleanup.js';

const cleanups = cleanupAfterEach();

const rule = (status: number): string =>
  `version: 1\nrules:\n  - name: flaky\n    match: { path: /status/200 }\n    fault: { status: ${status} }\n`;

/** Poll until the proxy answers `/status/200` with `status`, bounded. */
async function until(proxy: Served, status: number, ms = 5000): Promise<number> {
  const deadline = Date.now() + ms;
  let last = 0;
  while (Date.now() < deadline) {
    last = (await request(`http://127.0.0.1:${proxy.proxyPort}/status/200`)).status;
    if (last === status) return last;
    await new Promise((r) => setTimeout(r, 50));
  }
  return last;
}

describe('hot reload on the running CLI', () => {
  it('picks up an edited file, keeps the old rules on a broken one, and reloads on SIGHUP', async () => {
    const demo = await startDemoUpstream();
    cleanups.push(() => demo.close());
    const file = scenarioFile(rule(503));
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
    expect(await until(proxy, 503)).toBe(503);

    writeFileSync(file, rule(507));
    expect(await until(proxy, 507)).toBe(507);
    await proxy.waitForLine((l) => l.msg === 'scenarios reloaded');

    writeFileSync(file, 'version: 1\nrules:\n  - name: flaky\n    match: { path: /status/200 }\n    fault: { status: 99 }\n');
    const rejected = await proxy.waitForLine((l) => l.msg === 'scenario reload rejected; previous rules keep serving');
    expect(String(rejected.problem)).toMatch(new RegExp(`^${file.replace(/[.]/g, '\\.')}:5:22: rules\\[0\\]\\.fault\\.status: `));
    expect((await request(`http://127.0.0.1:${proxy.proxyPort}/status/200`)).status).toBe(507);

    writeFileSync(file, rule(502));
    expect(await until(proxy, 502)).toBe(502);
    const reloads = proxy.lines.filter((l) => l.msg === 'scenarios reloaded').length;
    proxy.child.kill('SIGHUP');
    await proxy.waitForLine((l) => l.msg === 'scenarios reloaded' && l.reason === 'SIGHUP');
    expect(proxy.lines.filter((l) => l.msg === 'scenarios reloaded').length).toBeGreaterThan(reloads);
  });

  it('serve refuses to start on an invalid scenario, with file:line:column and exit code 2', async () => {
    const file = scenarioFile('version: 1\nrules:\n  - name: Bad_Name\n    fault: { status: 507 }\n');
    const { runCli } = await import('../helpers/cli.js');
    const run = await runCli([
      'serve',
      '--upstream',
      'http://127.0.0.1:1',
      '--listen',
      '127.0.0.1:0',
      '--admin',
      '127.0.0.1:0',
      '--scenarios',
      file,
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(new RegExp(`^${file.replace(/[.]/g, '\\.')}:3:11: rules\\[0\\]\\.name: `, 'm'));
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});
