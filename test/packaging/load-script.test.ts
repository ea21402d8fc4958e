import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { spawn } from 'node:child_process';

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
});
