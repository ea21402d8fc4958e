import { describe, it, expect } from 'vitest';
import { createRandom } from '../../src/scenario/random.js';
import { ruleSet, run } from './helpers.js';

describe('randomness', () => {
  it('the same seed gives the same sequence; another seed another one', () => {
    const a = createRandom(42);
    const b = createRandom(42);
    const c = createRandom(43);
    const sa = Array.from({ length: 100 }, a);
    expect(Array.from({ length: 100 }, b)).toEqual(sa);
    expect(Array.from({ length: 100 }, c)).not.toEqual(sa);
    expect(sa.every((x) => x >= 0 && x < 1)).toBe(true);
  });

  it('is roughly uniform (10 buckets over 100,000 draws, each within 10% ± 0.5 pp)', () => {
    const r = createRandom(7);
    const buckets = new Array<number>(10).fill(0);
    for (let i = 0; i < 100_000; i++) buckets[Math.floor(r() * 10)]! += 1;
    for (const b of buckets) expect(Math.abs(b / 100_000 - 0.1)).toBeLessThan(0.005);
  });

  it('probability 10% fires for 10% of 100,000 requests, within ±0.5 percentage points', () => {
    for (const seed of [1, 42, 2026]) {
      const set = ruleSet('  - name: r\n    when: { probability: 10% }\n    fault: { status: 507 }\n', {
        head: `seed: ${seed}\n`,
      });
      const fired = run(set, 100_000).filter((n) => n !== null).length;
      expect(Math.abs(fired / 100_000 - 0.1), `seed ${seed}`).toBeLessThan(0.005);
    }
  });

  it('a seeded rule set makes the same decisions for the same requests, also after a reload', () => {
    const rules =
      '  - name: a\n    when: { probability: 30% }\n    fault: { status: 500 }\n  - name: b\n    when: { probability: 0.5 }\n    fault: { status: 507 }\n';
    const first = ruleSet(rules, { head: 'seed: 99\n' });
    const second = ruleSet(rules, { head: 'seed: 99\n' });
    const other = ruleSet(rules, { head: 'seed: 100\n' });
    const decisions = run(first, 1000);
    expect(first.seed).toBe(99);
    expect(run(second, 1000)).toEqual(decisions);
    expect(run(other, 1000)).not.toEqual(decisions);
  });

  it('without a seed, picks one and records it so the run can be replayed', () => {
    const rules = '  - name: r\n    when: { probability: 50% }\n    fault: { status: 507 }\n';
    const unseeded = ruleSet(rules);
    expect(typeof unseeded.seed).toBe('number');
    const decisions = run(unseeded, 200);
    expect(run(ruleSet(rules, { head: `seed: ${unseeded.seed}\n` }), 200)).toEqual(decisions);
  });
});
