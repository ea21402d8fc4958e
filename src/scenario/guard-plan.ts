import type { FileDefinition } from './schema.js';
import type { GuardDefinition } from './schema-guards.js';

/*
 * The compiled form of a rule set's guards, dry-run flags and share limits: plain frozen data the
 * runtime gate (src/guard/) binds to the live rules. Kept apart from Rule so the hot path's rule
 * objects stay as they are; the gate looks rules up by name once per rule set.
 */

export type GuardCondition =
  | { readonly kind: 'upstreamErrorRate'; readonly above: number; readonly overMs: number; readonly min: number }
  | { readonly kind: 'p99'; readonly aboveMs: number; readonly overMs: number; readonly min: number };

export interface GuardSpec {
  readonly name: string;
  /** `file`: declared at a file's top level, covering its rules; `rule`: inside one rule. */
  readonly scope: 'file' | 'rule';
  readonly source: string;
  /** The rules it stops when it trips. */
  readonly rules: readonly string[];
  readonly condition: GuardCondition;
  readonly resume: 'manual' | 'auto';
  /** With resume: auto, how long the condition must stay false before the rules resume. */
  readonly quietMs: number;
  readonly webhook: string | null;
}

export interface GuardPlan {
  readonly guards: readonly GuardSpec[];
  /** Rules that only pretend (their file or they say `dryRun: true`). */
  readonly dryRun: ReadonlySet<string>;
  /** Per rule: the largest share (0..1) of all proxied traffic its fault may get over a sliding minute. */
  readonly shares: ReadonlyMap<string, number>;
}

/** The plan of a set without guards, dry runs or limits. */
export const NO_GUARDS: GuardPlan = Object.freeze({ guards: [], dryRun: new Set<string>(), shares: new Map<string, number>() });

/** One file's worth of validated data → its part of the plan; the parts of a set are concatenated. */
export function compileGuardPlan(files: readonly { readonly file: string; readonly data: FileDefinition }[]): GuardPlan {
  const guards: GuardSpec[] = [];
  const dryRun = new Set<string>();
  const shares = new Map<string, number>();
  for (const { file, data } of files) {
    const names = data.rules.map((r) => r.name);
    for (const g of data.guards ?? []) guards.push(guardSpec(g, 'file', file, names));
    for (const rule of data.rules) {
      for (const g of rule.guards ?? []) guards.push(guardSpec(g, 'rule', file, [rule.name]));
      if (data.dryRun || rule.dryRun) dryRun.add(rule.name);
      if (rule.limit !== undefined) shares.set(rule.name, rule.limit.share);
    }
  }
  if (guards.length === 0 && dryRun.size === 0 && shares.size === 0) return NO_GUARDS;
  return Object.freeze({ guards: Object.freeze(guards), dryRun, shares });
}

function guardSpec(g: GuardDefinition, scope: 'file' | 'rule', source: string, rules: readonly string[]): GuardSpec {
  const e = g.when.upstreamErrorRate;
  const p = g.when.p99;
  const condition: GuardCondition =
    e !== undefined
      ? { kind: 'upstreamErrorRate', above: e.above, overMs: e.over, min: e.min }
      : { kind: 'p99', aboveMs: p?.above ?? 0, overMs: p?.over ?? 0, min: p?.min ?? 1 };
  return Object.freeze({
    name: g.name,
    scope,
    source,
    rules: Object.freeze([...rules]),
    condition: Object.freeze(condition),
    resume: g.resume,
    quietMs: g.quiet ?? condition.overMs,
    webhook: g.onTrip?.webhook ?? null,
  });
}
