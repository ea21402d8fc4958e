import { describe, it, expect } from 'vitest';
import { resetCounters, type ScenarioRuleState } from '../../src/scenario/triggers.js';
import { req, ruleSet, run } from './helpers.js';

const R = 'r';
const rule = (when: string, extra = ''): string => `  - name: r\n    when: ${when}\n${extra}    fault: { status: 507 }\n`;

describe('when', () => {
  it('fires for every matching request by default', () => {
    expect(run(ruleSet(rule('{}')), 3)).toEqual([R, R, R]);
  });

  it('every: fires on the Nth, 2Nth, ... matching request', () => {
    expect(run(ruleSet(rule('{ every: 3 }')), 7)).toEqual([null, null, R, null, null, R, null]);
  });

  it('after: skips the first N matching requests', () => {
    expect(run(ruleSet(rule('{ after: 2 }')), 4)).toEqual([null, null, R, R]);
  });

  it('after + every: counts the beat from the first request after the skipped ones', () => {
    const fired = run(ruleSet(rule('{ after: 5, every: 10 }')), 40)
      .map((name, i) => (name === null ? null : i + 1))
      .filter((n) => n !== null);
    expect(fired).toEqual([15, 25, 35]);
  });

  it('times: fires at most N times', () => {
    expect(run(ruleSet(rule('{ times: 2 }')), 4)).toEqual([R, R, null, null]);
    expect(run(ruleSet(rule('{ every: 2, times: 2 }')), 8)).toEqual([null, R, null, R, null, null, null, null]);
  });

  it('window: fires only between start and end, measured from enabledAt', () => {
    const set = ruleSet(rule('{ window: { start: 30s, end: 2m } }'), { now: () => 1000 });
    const at = (ms: number): string | null => set.select(req(), '/x', '', 1000 + ms)?.name ?? null;
    expect([at(0), at(29_999), at(30_000), at(119_999), at(120_000)]).toEqual([null, null, R, R, null]);
    const state = set.byName.get(R)?.state;
    if (state === undefined) throw new Error('no state');
    state.enabledAt = 500_000; // as the admin API does when it re-enables the rule
    expect(set.select(req(), '/x', '', 530_000)?.name).toBe(R);
  });

  it('maxActive: does not fire while N faults of the rule are active', () => {
    const set = ruleSet(rule('{}', '    maxActive: 2\n'));
    const state = set.byName.get(R)?.state;
    if (state === undefined) throw new Error('no state');
    state.active = 2;
    expect(run(set, 1)).toEqual([null]);
    state.active = 1;
    expect(run(set, 1)).toEqual([R]);
  });

  it('a disabled rule neither matches nor counts', () => {
    const set = ruleSet('  - name: r\n    enabled: false\n    fault: { status: 507 }\n');
    expect(run(set, 2)).toEqual([null, null]);
    expect(set.byName.get(R)?.state.matched).toBe(0);
  });

  it('counts matched requests whether or not the rule fires; fired counts selections', () => {
    const set = ruleSet(rule('{ every: 2 }', '    match: { path: /x }\n'));
    run(set, 5);
    run(set, 3, '/other');
    const state = set.byName.get(R)?.state as ScenarioRuleState;
    expect(state.matched).toBe(5);
    expect(state.fired).toBe(2);
    expect(state.injected).toBe(0); // the proxy counts what it applies
    resetCounters(state, 10);
    expect([state.matched, state.fired, state.enabledAt]).toEqual([0, 0, 10]);
  });

  it('takes the first rule, in file order, that matches and fires', () => {
    const set = ruleSet(
      '  - name: first\n    match: { path: /a }\n    when: { every: 2 }\n    fault: { status: 500 }\n' +
        '  - name: second\n    fault: { status: 507 }\n',
    );
    expect(run(set, 4, '/a')).toEqual(['second', 'first', 'second', 'first']);
    expect(run(set, 1, '/b')).toEqual(['second']);
    // A request the first rule fired for never reached the second.
    expect(set.byName.get('second')?.state.matched).toBe(3);
  });

  it('returns a quota rule as soon as it matches: the quota engine decides', () => {
    const set = ruleSet(
      '  - name: q\n    when: { quota: { key: global, measure: requests, limit: 1 } }\n    fault: { status: 429 }\n',
    );
    expect(run(set, 3)).toEqual(['q', 'q', 'q']);
  });

  it('draws from the random source only for a probability strictly between 0 and 1', () => {
    let draws = 0;
    const counting = () => () => {
      draws++;
      return 0.5;
    };
    run(ruleSet(rule('{ probability: 0 }'), { random: counting }), 5);
    run(ruleSet(rule('{ probability: 100% }'), { random: counting }), 5);
    run(ruleSet(rule('{ every: 2, probability: 0.4 }'), { random: counting }), 6);
    expect(draws).toBe(3); // only on the every-beat requests
    const set = ruleSet(rule('{ probability: 0.6 }'), { random: counting });
    expect(run(set, 1)).toEqual([R]);
    const state = set.byName.get(R)?.state;
    if (state !== undefined) state.probability = 0.4; // the admin override wins
    expect(run(set, 1)).toEqual([null]);
  });

  it('passes through untouched when no rule fires', () => {
    const set = ruleSet('  - name: r\n    match: { method: POST }\n    fault: { status: 507 }\n');
    expect(set.select(req('GET'), '/', '', 0)).toBe(null);
  });
});
