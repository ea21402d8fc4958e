import type { IncomingMessage } from 'node:http';
import type { Rule, RuleSet, RuleState, TriggerSpec } from './types.js';
import type { ScenarioDocument } from './parse.js';
import type { RuleDefinition } from './schema.js';
import { canonical } from './canonical.js';
import { compileMatcher } from './matchers.js';
import { RuleIndex, firstSegments } from './rule-index.js';
import { createRandom, pickSeed } from './random.js';
import { compileGuardPlan } from './guard-plan.js';
import { scenarioWarnings } from './warnings.js';
import { freshState, selectRule, type ScenarioRuleState, type SelectableRule } from './triggers.js';

/** How a rule set is built: the set it replaces, the clock, and the random source (tests inject these). */
export interface CompileOptions {
  /** The rule set being replaced: unchanged rules keep their state (see compileRuleSet). */
  readonly previous?: RuleSet | null;
  readonly now?: () => number;
  /** Makes the set's random source from its seed; default mulberry32 (random.ts). */
  readonly random?: (seed: number) => () => number;
}

/**
 * Validated documents → one frozen RuleSet, in file order. Call it only with documents whose
 * cross-file checks passed (load.ts does both).
 *
 * Carry-over on reload: a rule whose name and fingerprint (its canonical definition) are the same
 * as in `previous` keeps its state object: matched/injected/fired counters, active count, the
 * admin's enabled/probability overrides and its window start. A new or changed rule starts fresh,
 * its window starting now. The random source always restarts from the seed.
 */
export function compileRuleSet(docs: readonly ScenarioDocument[], options: CompileOptions = {}): RuleSet {
  const now = (options.now ?? Date.now)();
  const seed = docs.find((d) => d.data.seed !== undefined)?.data.seed ?? pickSeed();
  const random = (options.random ?? createRandom)(seed);
  const rules: SelectableRule[] = [];
  for (const doc of docs) {
    doc.data.rules.forEach((def, i) => {
      const fingerprint = canonical(def);
      const state = carriedState(options.previous?.byName.get(def.name), fingerprint) ?? freshState(def.enabled, now);
      rules.push(compileRule(def, doc.file, doc.rulePositions[i]?.line ?? 1, fingerprint, state));
    });
  }
  const frozen = Object.freeze(rules);
  const index = new RuleIndex(frozen, (r) => segmentsByRule.get(r) ?? null);
  const set: RuleSet = {
    rules: frozen,
    byName: new Map(rules.map((r) => [r.name, r])),
    seed,
    headerFaults: docs.some((d) => d.data.headerFaults),
    // On unless a file turns it off.
    marker: docs.every((d) => d.data.marker),
    files: Object.freeze(docs.map((d) => d.file)),
    warnings: Object.freeze(scenarioWarnings(docs)),
    loadedAt: now,
    random,
    guards: compileGuardPlan(docs),
    select: (req: IncomingMessage, path: string, query: string, at: number) =>
      selectRule(index.candidates(path), random, req, path, query, at),
  };
  return Object.freeze(set);
}

/** Each compiled rule's literal first path segments (see rule-index.ts). */
const segmentsByRule = new WeakMap<SelectableRule, string[] | null>();

function compileRule(
  def: RuleDefinition,
  source: string,
  line: number,
  fingerprint: string,
  state: ScenarioRuleState,
): SelectableRule {
  const w = def.when;
  const when: TriggerSpec = {
    probability: w?.probability ?? null,
    every: w?.every ?? null,
    after: w?.after ?? null,
    times: w?.times ?? null,
    windowStartMs: w?.window?.start ?? null,
    windowEndMs: w?.window?.end ?? null,
  };
  const rule: SelectableRule = Object.freeze({
    name: def.name,
    source,
    line,
    fingerprint,
    matches: compileMatcher(def.match),
    when: deepFreeze(when),
    quota: w?.quota === undefined ? null : deepFreeze(w.quota),
    fault: deepFreeze(def.fault),
    maxActive: def.maxActive ?? null,
    enabledInFile: def.enabled,
    state,
  });
  segmentsByRule.set(rule, firstSegments(def.match));
  return rule;
}

function carriedState(prev: Rule | undefined, fingerprint: string): ScenarioRuleState | null {
  if (prev === undefined || prev.fingerprint !== fingerprint) return null;
  const state: RuleState & { fired?: number } = prev.state;
  // A state built elsewhere has no `fired`: take the faults applied as the closest count.
  if (typeof state.fired !== 'number') state.fired = state.injected;
  return state as ScenarioRuleState;
}

function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const child of Object.values(v)) deepFreeze(child);
  }
  return v;
}
