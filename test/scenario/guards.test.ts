import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatProblem, ScenarioError } from '../../src/errors.js';
import { compileRuleSetFromText } from '../../src/scenario/load.js';

const problemsOf = (text: string, file: string): string[] => {
  try {
    compileRuleSetFromText(text, file);
  } catch (err) {
    if (err instanceof ScenarioError) return err.problems.map(formatProblem);
    throw err;
  }
  return [];
};

describe('guards, dryRun and limit in scenario files', () => {
  it('compile to the rule set guard plan', () => {
    const set = compileRuleSetFromText(
      `version: 1
guards:
  - name: upstream-healthy
    when: { upstreamErrorRate: { above: 5%, over: 1m, min: 100 } }
    onTrip: { webhook: https://hooks.example/chaos }
  - name: latency-budget
    when: { p99: { above: 800ms, over: 2m } }
    resume: auto
    quiet: 30s
rules:
  - name: a
    fault: { status: 507 }
    limit: { share: 10% }
  - name: b
    dryRun: true
    fault: { status: 503 }
    guards:
      - name: b-only
        when: { upstreamErrorRate: { above: 0.5, over: 10s } }
`,
      'f.yaml',
    );
    const g = set.guards;
    expect(g.guards.map((x) => [x.name, x.scope, x.rules, x.condition, x.resume, x.quietMs, x.webhook])).toEqual([
      [
        'upstream-healthy',
        'file',
        ['a', 'b'],
        { kind: 'upstreamErrorRate', above: 0.05, overMs: 60_000, min: 100 },
        'manual',
        60_000,
        'https://hooks.example/chaos',
      ],
      ['latency-budget', 'file', ['a', 'b'], { kind: 'p99', aboveMs: 800, overMs: 120_000, min: 1 }, 'auto', 30_000, null],
      ['b-only', 'rule', ['b'], { kind: 'upstreamErrorRate', above: 0.5, overMs: 10_000, min: 1 }, 'manual', 10_000, null],
    ]);
    expect([...g.dryRun]).toEqual(['b']);
    expect([...g.shares]).toEqual([['a', 0.1]]);
  });

  it('report every mistake at its file:line:column', () => {
    const file = fileURLToPath(new URL('./fixtures/invalid-guards.yaml', import.meta.url));
    expect(problemsOf(readFileSync(file, 'utf8'), 'bad.yaml')).toEqual([
      'bad.yaml:2:9: dryRun: must be true or false',
      'bad.yaml:5:11: guards[0].when: must give one condition per guard (write two guards)',
      'bad.yaml:5:41: guards[0].when.upstreamErrorRate.above: expected a probability like 5% or 0.05 (between 0 and 1), got "150%"',
      'bad.yaml:5:53: guards[0].when.upstreamErrorRate.over: must be a positive duration like 1m, got "0s"',
      'bad.yaml:6:12: guards[0].quiet: contradictory fields: quiet applies only to resume: auto',
      'bad.yaml:7:11: guards[1].name: duplicate guard name "a"',
      'bad.yaml:8:11: guards[1].when: must give one condition: upstreamErrorRate or p99',
      'bad.yaml:9:24: guards[1].onTrip.webhook: must be an http:// or https:// URL',
      'bad.yaml:10:11: guards[2].name: must be lowercase letters, digits and dashes ([a-z0-9-]+), like upstream-healthy',
      'bad.yaml:11:41: guards[2].when.p99.mni: unknown key (expected one of: above, over, min)',
      'bad.yaml:12:13: guards[2].resume: must be manual (faultline resume) or auto',
      'bad.yaml:16:21: rules[0].limit.share: must be a share above 0 like 10%, got "0%"',
      'bad.yaml:18:15: rules[0].guards[0].name: duplicate guard name "a"',
    ]);
  });

  it('a file without them compiles to the empty plan', () => {
    const set = compileRuleSetFromText('version: 1\nrules:\n  - name: a\n    fault: { status: 507 }\n', 'f.yaml');
    expect(set.guards.guards).toEqual([]);
    expect(set.guards.dryRun.size).toBe(0);
  });
});
