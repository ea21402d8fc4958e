import type { RuleSet } from '../scenario/types.js';

/** What a swap of rule sets changed, by rule name: what reload and PUT /rules log and answer. */
export interface RuleSetDiff {
  readonly added: readonly string[];
  readonly removed: readonly string[];
  /** Same name, different definition (its counters start again). */
  readonly changed: readonly string[];
  readonly unchanged: number;
}

export function diffRuleSets(prev: RuleSet, next: RuleSet): RuleSetDiff {
  const added: string[] = [];
  const changed: string[] = [];
  let unchanged = 0;
  for (const rule of next.rules) {
    const old = prev.byName.get(rule.name);
    if (old === undefined) added.push(rule.name);
    else if (old.fingerprint !== rule.fingerprint) changed.push(rule.name);
    else unchanged++;
  }
  const removed = prev.rules.filter((r) => !next.byName.has(r.name)).map((r) => r.name);
  return { added, removed, changed, unchanged };
}
