import type { IncomingMessage } from 'node:http';
import type { Rule, RuleState, TriggerSpec } from './types.js';

/*
 * Choosing the rule for a request. Rules are tried in file order; the first whose match holds and
 * whose `when` fires wins. For each rule, in this order:
 *
 *   enabled? -> match holds? -> matched++ -> quota rule? return it (the quota engine decides)
 *            -> inside window? -> past `after`? -> on an `every` beat? -> under `times`?
 *            -> under maxActive? -> probability draw -> fired++, return it
 *
 * Counting, precisely:
 *  - `matched` counts the requests that reached this rule while it was enabled and whose match held,
 *    whether or not it then fired (a request reaches a rule when no earlier rule fired for it).
 *  - `after: N` skips the first N of those; `every: K` fires on the K-th, 2K-th, ... matched request
 *    after the skipped ones (with after 100, every 10: the 110th, 120th, ...). Both count matched
 *    requests, including those outside the window.
 *  - `times` compares against `fired`: how often select() returned the rule. `injected` is counted
 *    by the proxy when it actually applies the fault, never here.
 *  - The random source is drawn from only when a probability strictly between 0 and 1 decides, so
 *    the draws, and with a seed the decisions, depend only on the sequence of requests.
 * No allocation on any path: the loop reads precompiled fields and bumps counters.
 */

/** A rule's live state as built here: RuleState plus the `fired` counter that `times` reads. */
export interface ScenarioRuleState extends RuleState {
  /** How often select() returned this rule. */
  fired: number;
}

/** The state of a new or changed rule; its window starts now. */
export function freshState(enabled: boolean, now: number): ScenarioRuleState {
  return { enabled, probability: null, enabledAt: now, matched: 0, injected: 0, active: 0, fired: 0 };
}

/** Zeroes a rule's counters (admin "reset") including `fired`, and restarts its window. `active` is live, so kept. */
export function resetCounters(state: RuleState, now: number): void {
  state.matched = 0;
  state.injected = 0;
  state.enabledAt = now;
  if ('fired' in state) (state as ScenarioRuleState).fired = 0;
}

/** The rule as select() sees it: a compiled Rule whose state has `fired`. */
export interface SelectableRule extends Rule {
  readonly state: ScenarioRuleState;
}

/** Does `when` let this matched request through? `n` is its ordinal among matched requests. */
function fires(rule: SelectableRule, w: TriggerSpec, n: number, now: number, random: () => number): boolean {
  const s = rule.state;
  const elapsed = now - s.enabledAt;
  if (w.windowStartMs !== null && elapsed < w.windowStartMs) return false;
  if (w.windowEndMs !== null && elapsed >= w.windowEndMs) return false;
  const after = w.after ?? 0;
  if (n <= after) return false;
  if (w.every !== null && (n - after) % w.every !== 0) return false;
  if (w.times !== null && s.fired >= w.times) return false;
  if (rule.maxActive !== null && s.active >= rule.maxActive) return false;
  const p = s.probability ?? w.probability;
  if (p === null || p >= 1) return true;
  return p > 0 && random() < p;
}

/** The first enabled rule whose match holds and whose `when` fires, or null. See the comment above. */
export function selectRule(
  rules: readonly SelectableRule[],
  random: () => number,
  req: IncomingMessage,
  path: string,
  query: string,
  now: number,
): Rule | null {
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i] as SelectableRule;
    const s = rule.state;
    if (!s.enabled || !rule.matches(req, path, query)) continue;
    const n = ++s.matched;
    if (rule.quota === null && !fires(rule, rule.when, n, now, random)) continue;
    s.fired++;
    return rule;
  }
  return null;
}
