import type { Logger } from '../log/logger.js';
import { injectedWhy } from '../faults/answer.js';
import { planFor } from '../faults/registry.js';
import type { Rule } from '../scenario/types.js';

/**
 * Dry run: a rule is matched and decided exactly as in a live run, and where it would inject, it
 * is counted and logged instead. To keep "exactly as live" true for later requests, it also makes
 * the random draws the fault would have made (a delay range draws its length), so with a seed the
 * same requests are decided the same way whether the run is dry or live.
 */
export class DryRun {
  /** --dry-run: every rule pretends. */
  readonly all: boolean;
  private rules: ReadonlySet<string> = new Set();
  /** Would-have-injected counts by rule name, since start. */
  readonly counts = new Map<string, number>();
  private readonly log: Logger;
  private readonly counted: (rule: string) => void;

  constructor(all: boolean, log: Logger, counted: (rule: string) => void) {
    this.all = all;
    this.log = log;
    this.counted = counted;
  }

  /** The rules a rule set marks `dryRun: true` (itself or its file). */
  bind(rules: ReadonlySet<string>): void {
    this.rules = rules;
  }

  isDry(rule: Rule): boolean {
    return this.all || this.rules.has(rule.name);
  }

  /** Book one "would have injected" and make the draws the fault would have made. */
  pretend(rule: Rule, random: () => number, reqId: string, method: string | undefined, path: string): void {
    // Plan the fault as a live run would, and drop the plan: the random draws are the same by construction.
    planFor(rule.fault, injectedWhy(rule, rule.fault), random);
    this.counts.set(rule.name, (this.counts.get(rule.name) ?? 0) + 1);
    this.counted(rule.name);
    this.log.info(
      { reqId, rule: rule.name, kind: rule.fault.kind, method, path, dryRun: true },
      'fault would have been injected (dry run)',
    );
  }
}
