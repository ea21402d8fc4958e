import type { IncomingMessage } from 'node:http';
import { compileRuleSet } from '../scenario/compile.js';
import { pickSeed } from '../scenario/random.js';
import type { Rule, RuleSet } from '../scenario/types.js';
import type { SessionRequest } from './parse.js';

/** What a session is made from; the same on every replica (the Redis sync ships this). */
export interface SessionSpec {
  readonly id: string;
  /** The body as sent to `POST /sessions` (replicas re-validate and compile it themselves). */
  readonly text: string;
  /** The seed in force: the one given, or the one drawn at creation, so replicas draw the same sequence. */
  readonly seed: number;
  readonly isolate: boolean;
  readonly createdAt: number;
  readonly expiresAt: number;
}

/**
 * One test's faults: a compiled rule set of its own (counters, times/every/after state, seeded
 * random source), used only for requests that carry its id in `x-faultline-session`.
 *
 * With `isolate` (the default) those requests see only the session's rules; without it, the
 * session's rules first, then the global ones. A session's quota rules keep their usage under
 * `name@id`, apart from everyone else's.
 */
export class Session {
  readonly spec: SessionSpec;
  readonly set: RuleSet;
  /** The view over session + global rules (isolate: false), rebuilt when the global set is swapped. */
  private layered: RuleSet | null = null;
  private layeredOver: RuleSet | null = null;

  constructor(
    spec: SessionSpec,
    request: SessionRequest,
    options: { now: () => number; random?: (seed: number) => () => number },
  ) {
    this.spec = spec;
    const own = new Set<Rule>();
    const compiled = compileRuleSet([{ ...request.doc, data: { ...request.doc.data, seed: spec.seed } }], {
      now: options.now,
      ...(options.random === undefined ? {} : { random: options.random }),
    });
    for (const r of compiled.rules) own.add(r);
    const id = spec.id;
    this.set = Object.freeze({ ...compiled, quotaName: (rule: Rule) => (own.has(rule) ? `${rule.name}@${id}` : rule.name) });
  }

  get id(): string {
    return this.spec.id;
  }

  /** The rules a request of this session is matched against, given the live global set. */
  ruleSetFor(global: RuleSet): RuleSet {
    if (this.spec.isolate) return this.set;
    if (this.layeredOver !== global || this.layered === null) {
      this.layered = layer(this.set, global);
      this.layeredOver = global;
    }
    return this.layered;
  }
}

/** The session's rules first, then the global ones; header faults stay off for session requests. */
function layer(session: RuleSet, global: RuleSet): RuleSet {
  const byName = new Map(global.byName);
  for (const [name, rule] of session.byName) byName.set(name, rule);
  return Object.freeze({
    ...session,
    rules: Object.freeze([...session.rules, ...global.rules]),
    byName,
    marker: session.marker && global.marker,
    select: (req: IncomingMessage, path: string, query: string, now: number) =>
      session.select(req, path, query, now) ?? global.select(req, path, query, now),
  });
}

/** A seed for a session that gives none (reported back so a run can be replayed). */
export function sessionSeed(request: SessionRequest): number {
  return request.seed ?? pickSeed();
}
