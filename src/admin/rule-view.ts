import type { Rule } from '../scenario/types.js';
import type { RuleView } from '../client/wire.js';

/** One rule as `GET /rules` shows it (and the CLI client reads it); the type lives with the other wire types. */
export type { RuleView } from '../client/wire.js';

/** What the guards say about a rule (the gate answers; without one, nothing stops a rule). */
export interface RuleGuarding {
  stoppedBy(rule: string): string | null;
  isDry(rule: Rule): boolean;
}

const UNGUARDED: RuleGuarding = { stoppedBy: () => null, isDry: () => false };

/** `revert`: when a change made with `for` reverts (ms since epoch), with the clock to count from. */
export function ruleView(rule: Rule, guarding: RuleGuarding = UNGUARDED, revert?: { at: number; now: number } | null): RuleView {
  const s = rule.state;
  const action = rule.fault.action;
  return {
    name: rule.name,
    source: rule.source,
    line: rule.line,
    state: s.enabled ? 'enabled' : 'disabled',
    kind: rule.fault.kind,
    code: action !== null && 'status' in action ? action.status : null,
    trigger: describeTrigger(rule),
    probability: rule.quota === null ? (s.probability ?? rule.when.probability) : null,
    probabilityOverridden: s.probability !== null,
    matched: s.matched,
    injected: s.injected,
    active: s.active,
    stoppedBy: guarding.stoppedBy(rule.name),
    dryRun: guarding.isDry(rule),
    ...(revert === undefined || revert === null ? {} : { revertsInMs: Math.max(0, revert.at - revert.now) }),
  };
}

/** `25%`, `0.5%`: a probability as people write it in scenarios. */
export function formatPercent(p: number): string {
  return `${Number((p * 100).toFixed(4))}%`;
}

function describeTrigger(rule: Rule): string {
  if (rule.quota !== null) return `quota ${rule.quota.keyText}`;
  const w = rule.when;
  const parts: string[] = [];
  const p = rule.state.probability ?? w.probability;
  if (p !== null) parts.push(`probability ${formatPercent(p)}`);
  if (w.after !== null) parts.push(`after ${w.after}`);
  if (w.every !== null) parts.push(`every ${w.every}`);
  if (w.times !== null) parts.push(`times ${w.times}`);
  if (w.windowStartMs !== null || w.windowEndMs !== null)
    parts.push(`window ${w.windowStartMs ?? 0}ms-${w.windowEndMs === null ? '' : `${w.windowEndMs}ms`}`);
  return parts.length === 0 ? 'always' : parts.join(', ');
}
