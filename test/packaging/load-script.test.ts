import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { spawn } from 'node:child_process';
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { closeServer, listenOn } from '../helpers/http.js';
import { startProxy } from '../helpers/faultline.js';
import { cleanupAfterEach } from '../helpers/cleanup.js';

const cleanups = cleanupAfterEach();

const SCRIPT = fileURLToPath(new URL('../../examples/load/run.mjs', import.meta.url));

interface Split {
  responses: number;
  injected: number;
  upstreamErrors: number;
  ok: number;
  rules: Record<string, number>;
}

function runScript(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [SCRIPT, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('examples/load/run.mjs', () => {
  it('runs autocannon through faultline and splits injected failures from real upstream errors', async () => {
    const run = await runScript(['--amount', '3000', '--connections', '4', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout) as { byMarker: Split; byMetrics: Split | null; agree: boolean | null };
    const m = out.byMarker;
    expect(m.responses).toBeGreaterThan(100);
    expect(m.injected + m.upstreamErrors + m.ok).toBe(m.responses);
    // 1 request in 10 is GET /status/503, which the upstream itself answers with 503
    expect(m.upstreamErrors / m.responses).toBeCloseTo(0.1, 1);
    expect(Object.keys(m.rules).sort()).toEqual(['reads-503 (503)', 'uploads-507 (507)']);
    // expected share: 7/10 x 5% + 2/10 x 25% = 8.5%
    expect(m.injected / m.responses).toBeGreaterThan(0.04);
    expect(m.injected / m.responses).toBeLessThan(0.15);
    if (out.byMetrics !== null) {
      expect(out.agree).toBe(true);
      expect(Math.abs(out.byMetrics.injected - m.injected)).toBeLessThanOrEqual(4);
    }
  });

  it('--help prints the usage (exit 0), a wrong option one line (exit 2), never a stack trace', async () => {
    const help = await runScript(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: node examples\/load\/run\.mjs \[options\]/);
    expect(help.stderr).toBe('');
    for (const [args, line] of [
      [['--bogus'], 'run.mjs: unknown option --bogus (see --help)'],
      [['--amount', '-3'], 'run.mjs: --amount needs a value (see --help)'],
      [['--connections', 'many'], 'run.mjs: --connections "many" is not a positive integer (see --help)'],
    ] as const) {
      const r = await runScript([...args]);
      expect({ args, code: r.code, stderr: r.stderr, stdout: r.stdout }).toEqual({
        args,
        code: 2,
        stderr: `${line}\n`,
        stdout: '',
      });
    }
  });

  it('refuses to claim agreement when no injected failure was seen (a non-demo upstream: every answer 404)', async () => {
    const upstream = http.createServer((req, res) => {
      req.resume();
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not here\n');
    });
    const port = await listenOn(upstream);
    cleanups.push(() => closeServer(upstream));
    const scenario = readFileSync(new URL('../../examples/load/scenario.yaml', import.meta.url), 'utf8');
    const proxy = await startProxy(`http://127.0.0.1:${port}`, {
      scenario: scenario.replace(/path: \/(status|upload)/g, 'path: /elsewhere'),
    });
    cleanups.push(() => proxy.close());
    const r = await runScript(['--proxy', proxy.url, '--admin', proxy.admin, '--amount', '200', '--connections', '2']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).not.toContain('agree');
    expect(r.stdout).toMatch(
      /No injected failure among 200 responses \(0 ok, 200 4xx, 0 5xx from the upstream\): the rules did not match this traffic/,
    );
  });
});
