import type { Rule } from '../scenario/types.js';

/** One rule as `GET /rules` shows it (and the CLI client reads it). */
export interface RuleView {
  readonly name: string;
  /** The scenario file it came from, or `<request>` for a set sent with PUT /rules. */
  readonly source: string;
  readonly line: number;
  readonly state: 'enabled' | 'disabled';
  readonly kind: string;
  /** The status the fault answers with, or null. */
  readonly code: number | null;
  /** When it fires, in words: `probability 25%`, `every 3`, `quota header:x-tenant`, `always`, ... */
  readonly trigger: string;
  /** The probability in force (0..1), null when none applies. */
  readonly probability: number | null;
  /** True when the admin API set `probability` (it lasts until the rule changes in a file). */
  readonly probabilityOverridden: boolean;
  readonly matched: number;
  readonly injected: number;
  readonly active: number;
  /** The tripped guard stopping it (docs/guards.md), or null. */
  readonly stoppedBy: string | null;
  /** It only pretends: would-have-injected faults are counted, none injected. */
  readonly dryRun: boolean;
}

/** What the guards say about a rule (the gate answers; without one, nothing stops a rule). */
export interface RuleGuarding {
  stoppedBy(rule: string): string | null;
  isDry(rule: Rule): boolean;
}

const UNGUARDED: RuleGuarding = { stoppedBy: () => null, isDry: () => false };

export function ruleView(rule: Rule, guarding: RuleGuarding = UNGUARDED): RuleView {
  const s = rule.state;
  const action = rule.fault.action;
  return {
    name: rule.name,
    source: rule.source,
    line: rule.line,
    state: s.enabled ? 'enabled' : 'disabled',
    kind: rule.fault.kind,
    code: action !== null && (action.kind === 'status' || action.kind === 'replaceStatus') ? action.status : null,
    trigger: describeTrigger(rule),
    probability: rule.quota === null ? (s.probability ?? rule.when.probability) : null,
    probabilityOverridden: s.probability !== null,
    matched: s.matched,
    injected: s.injected,
    active: s.active,
    stoppedBy: guarding.stoppedBy(rule.name),
    dryRun: guarding.isDry(rule),
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
