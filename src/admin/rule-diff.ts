import type { RuleSet } from '../scenario/types.js';

/** What a swap of rule sets changed, by rule name: what reload and PUT /rules log and answer. */
export interface RuleSetDiff {
  readonly added: string[];
  readonly removed: string[];
  /** Same name, different definition (its counters start again). */
  readonly changed: string[];
  readonly unchanged: number;
}

export function diffRuleSets(prev: RuleSet, next: RuleSet): RuleSetDiff {
  const diff: RuleSetDiff = { added: [], removed: [], changed: [], unchanged: 0 };
  for (const rule of next.rules) {
    const old = prev.byName.get(rule.name);
    if (old === undefined) diff.added.push(rule.name);
    else if (old.fingerprint !== rule.fingerprint) diff.changed.push(rule.name);
    else diff.unchanged++;
  }
  for (const rule of prev.rules) if (!next.byName.has(rule.name)) diff.removed.push(rule.name);
  return diff;
}
