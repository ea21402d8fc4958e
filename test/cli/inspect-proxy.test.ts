import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FINDING_IDS } from '../../src/inspect/catalogue.js';
import { runCli, serveCli, type Served } from '../helpers/cli.js';
import { scenarioFile, startDemoUpstream } from '../helpers/faultline.js';

interface InspectJson {
  ok: boolean;
  counts: { error: number; warning: number; info: number };
  findings: { id: string; severity: string }[];
}

let demo: Awaited<ReturnType<typeof startDemoUpstream>>;
let proxy: Served;
beforeAll(async () => {
  demo = await startDemoUpstream();
  const file = scenarioFile(
    'version: 1\nrules:\n  - name: full\n    match: { path: /upload/full/** }\n    fault: { status: 507 }\n',
  );
  proxy = await serveCli([
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
});
afterAll(async () => {
  await proxy.stop();
  await demo.close();
});

describe('faultline inspect against the real proxy', () => {
  it("--status N: faultline's own injected answers have no errors or warnings", async () => {
    for (const status of [400, 404, 429, 500, 502, 503, 504, 507]) {
      const run = await runCli(['inspect', '--status', String(status), '--json']);
      expect(run.code, `${status}: ${run.stderr}`).toBe(0);
      const result = JSON.parse(run.stdout) as InspectJson;
      expect(
        result.findings.filter((f) => f.severity !== 'info'),
        String(status),
      ).toEqual([]);
    }
  });

  it('an injected 507 through the running proxy is clean', async () => {
    const run = await runCli([
      'inspect',
      '-X',
      'PUT',
      '-d',
      'data',
      '--json',
      `http://127.0.0.1:${proxy.proxyPort}/upload/full/x`,
    ]);
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as InspectJson;
    expect(result.counts).toEqual({ error: 0, warning: 0, info: 0 });
  });

  it("the demo upstream's plain 500 through the proxy gets findings and exit 1", async () => {
    const run = await runCli(['inspect', '--json', `http://127.0.0.1:${proxy.proxyPort}/status/500`]);
    const result = JSON.parse(run.stdout) as InspectJson;
    // application/json, not problem+json; cacheability unspecified; no request id from the upstream
    // (faultline adds one, so that finding must be absent).
    expect(result.findings.map((f) => f.id)).toContain('error-cache-unspecified');
    expect(result.findings.map((f) => f.id)).not.toContain('no-request-id');
    expect(run.code).toBe(result.counts.error > 0 ? 1 : 0);
  });

  it('a request that cannot be made exits 2 with one line', async () => {
    const run = await runCli(['inspect', 'http://127.0.0.1:1/']);
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('docs/inspect.md lists every finding id', () => {
    const readme = readFileSync(new URL('../../docs/inspect.md', import.meta.url), 'utf8');
    for (const id of FINDING_IDS) expect(readme, id).toContain(`\`${id}\``);
  });
});
