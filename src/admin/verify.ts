import type { RuleSet } from '../scenario/types.js';
import { parseProbability } from '../scenario/units.js';
import { formatPercent, ruleView } from './rule-view.js';
import type { VerifyAnswer, VerifyExpectation, VerifyResult } from '../client/wire.js';

/*
 * "Did the chaos happen?" A chaos run that touched nothing should fail the build (litmus#3954:
 * an experiment reported success while no traffic was touched). Each expectation names a rule
 * and what it should have done: fired at least `min` times (default 1), and/or fired on a share
 * of the requests it matched within `ratio ± tolerance`. Every unmet expectation says why.
 */

/** `10%±2%`, `0.1±0.02`, `10%+-2%` → { ratio, tolerance }; throws with a message otherwise. */
export function parseRatio(text: string): { ratio: number; tolerance: number } {
  const parts = text.split(/±|\+\/?-/);
  if (parts.length !== 2) throw new Error(`expected a ratio like 10%±2% (or 10%+-2%), got "${text}"`);
  try {
    return { ratio: parseProbability((parts[0] as string).trim()), tolerance: parseProbability((parts[1] as string).trim()) };
  } catch (err) {
    throw new Error(`ratio "${text}": ${(err as Error).message}`, { cause: err });
  }
}

/** Check each expectation against the rules' counters. */
export function verifyRules(set: RuleSet, expectations: readonly VerifyExpectation[]): VerifyAnswer {
  const results = expectations.map((e) => verifyOne(set, e));
  return { ok: results.every((r) => r.ok), results };
}

function times(n: number): string {
  return n === 1 ? '1 time' : `${n} times`;
}

function requests(n: number): string {
  return n === 1 ? '1 request' : `${n} requests`;
}

function verifyOne(set: RuleSet, e: VerifyExpectation): VerifyResult {
  const min = e.min ?? (e.ratio === undefined ? 1 : 0);
  const expected =
    e.ratio === undefined
      ? `at least ${times(min)}`
      : `${formatPercent(e.ratio.ratio)}±${formatPercent(e.ratio.tolerance)} of matched requests${min > 0 ? `, at least ${times(min)}` : ''}`;
  const rule = set.byName.get(e.rule);
  if (rule === undefined)
    return { rule: e.rule, ok: false, fired: 0, matched: 0, expected, message: `${e.rule}: there is no rule by that name` };
  const view = ruleView(rule);
  const fired = view.injected;
  const matched = view.matched;
  const head = `${e.rule} fired ${times(fired)}; it matched ${requests(matched)}`;
  let message: string | null = null;
  if (matched === 0 && (min > 0 || e.ratio !== undefined))
    message = `${head}: ${view.state === 'disabled' ? 'the rule is disabled' : 'no request reached it'}`;
  else if (fired < min)
    message = `${head}: its trigger (${view.trigger}) let ${fired === 0 ? 'none' : `only ${fired}`} through; expected ${expected}`;
  else if (e.ratio !== undefined) {
    const share = fired / matched;
    if (Math.abs(share - e.ratio.ratio) > e.ratio.tolerance + 1e-9)
      message = `${e.rule} fired on ${fired} of ${requests(matched)} it matched (${formatPercent(share)}); expected ${expected}`;
  }
  return { rule: e.rule, ok: message === null, fired, matched, expected, message };
}
