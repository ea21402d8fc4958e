import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, expect } from 'vitest';
import { validateCommand } from '../../src/cli/validate.js';

async function validate(...argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await validateCommand(argv, { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out, err };
}

describe('faultline validate', () => {
  it('prints one summary line per valid file and exits 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'faultline-validate-'));
    writeFileSync(
      join(dir, 'a.yaml'),
      'version: 1\nrules:\n  - name: a\n    match: { path: /a }\n    fault: { status: 507 }\n  - name: b\n    enabled: false\n    fault: { status: 500 }\n',
    );
    writeFileSync(join(dir, 'b.yaml'), 'version: 1\n');
    const r = await validate(dir);
    expect(r).toEqual({
      code: 0,
      out: [`${join(dir, 'a.yaml')}: ok, 2 rules (1 enabled)`, `${join(dir, 'b.yaml')}: ok, 0 rules (0 enabled)`],
      err: [],
    });
  });

  it('prints every problem and exits 1; valid files still get their line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'faultline-validate-'));
    const good = join(dir, 'good.yaml');
    const bad = join(dir, 'bad.yaml');
    writeFileSync(good, 'version: 1\nrules:\n  - name: a\n    fault: { status: 507 }\n');
    writeFileSync(bad, 'version: 1\nrules:\n  - name: a\n    fault: { status: 507, reset: true }\n');
    const r = await validate(good, bad);
    expect(r.code).toBe(1);
    expect(r.out).toEqual([`${good}: ok, 1 rule (1 enabled)`]);
    expect(r.err).toEqual([
      `${bad}:3:11: rules[0].name: duplicate rule name "a" (first defined at ${good}:3:11)`,
      `${bad}:4:34: rules[0].fault.reset: contradictory fields: status and reset cannot be combined (one kind per fault, plus an optional delay)`,
      '2 problems in 1 file (of 2 checked)',
    ]);
  });

  it('prints usage for --help (exit 0) and for a usage error (exit 2)', async () => {
    const help = await validate('--help');
    expect(help.code).toBe(0);
    expect(help.out[0]).toMatch(/^Usage: faultline validate \[--strict\] PATH\.\.\./);
    const none = await validate();
    expect(none.code).toBe(2);
    expect(none.err[0]).toMatch(/^faultline validate: give at least one scenario file or directory\n\nUsage:/);
    const unknown = await validate('--strickt', 'x.yaml');
    expect(unknown.code).toBe(2);
    expect(unknown.err[0]).toMatch(/unknown option --strickt/);
  });
});
