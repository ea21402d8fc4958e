import type { Logger } from '../log/logger.js';
import type { GuardPlan } from '../scenario/guard-plan.js';
import { GuardState, describeFigures, type TripFigures } from './guard.js';
import { notifyWebhook } from './webhook.js';

/** A guard as GET /guards and `faultline rules` show it. */
export interface GuardView {
  readonly name: string;
  readonly scope: 'file' | 'rule';
  readonly source: string;
  readonly rules: readonly string[];
  readonly condition: string;
  readonly state: 'ok' | 'tripped';
  readonly trippedAt: string | null;
  readonly trips: number;
  readonly figures: TripFigures | null;
  readonly resume: 'manual' | 'auto';
  readonly quietMs: number;
}

export interface GuardSetOptions {
  readonly log: Logger;
  readonly now: () => number;
  /** Told of every trip (the metric). */
  readonly tripped: (guard: string) => void;
}

/**
 * The guards of the live rule set. Every finished exchange that reached the upstream feeds each
 * guard's window; a guard whose condition holds trips at once, and from then on the rules it
 * covers answer `stoppedBy` with its name until `resume` (or, with resume: auto, until its
 * condition has been quiet for its quiet period).
 */
export class GuardSet {
  private readonly o: GuardSetOptions;
  private states: GuardState[] = [];
  /** Rule name → the guards covering it. */
  private byRule = new Map<string, GuardState[]>();
  /** Rule name → the tripped guard stopping it: the hot path reads only this. */
  private stopped = new Map<string, string>();
  private timer: NodeJS.Timeout | null = null;

  constructor(options: GuardSetOptions) {
    this.o = options;
  }

  get size(): number {
    return this.states.length;
  }

  /**
   * Take a new rule set's guards. A guard keeps its name's trip across a reload whatever changed
   * (a reload must not resume stopped rules); it keeps its window too when its condition is unchanged.
   */
  bind(plan: GuardPlan): void {
    const previous = new Map(this.states.map((s) => [s.spec.name, s]));
    this.states = plan.guards.map((spec) => {
      const prev = previous.get(spec.name);
      if (prev === undefined) return new GuardState(spec);
      if (JSON.stringify(prev.spec.condition) === JSON.stringify(spec.condition)) {
        prev.spec = spec;
        return prev;
      }
      const next = new GuardState(spec);
      next.trippedAt = prev.trippedAt;
      next.trips = prev.trips;
      next.figures = prev.figures;
      next.quietSince = prev.quietSince;
      return next;
    });
    const byRule = new Map<string, GuardState[]>();
    for (const s of this.states)
      for (const rule of s.spec.rules) {
        const list = byRule.get(rule);
        if (list === undefined) byRule.set(rule, [s]);
        else list.push(s);
      }
    this.byRule = byRule;
    this.restop();
    this.schedule();
  }

  /** The tripped guard stopping this rule, or undefined. */
  stoppedBy(rule: string): string | undefined {
    return this.stopped.get(rule);
  }

  /** One finished exchange that reached the upstream: `error` for a real upstream failure, `ms` < 0 when not timed. */
  observe(now: number, error: boolean, ms: number): void {
    const states = this.states;
    for (let i = 0; i < states.length; i++) {
      const s = states[i] as GuardState;
      s.window.add(now, error, ms);
      this.evaluate(s, now);
    }
  }

  /** Resume one tripped guard (or all, for null); returns the names resumed. */
  resume(name: string | null, reason: string): string[] {
    const resumed: string[] = [];
    for (const s of this.states) {
      if (s.trippedAt === null || (name !== null && s.spec.name !== name)) continue;
      s.trippedAt = null;
      s.window.clear();
      resumed.push(s.spec.name);
      this.o.log.info({ guard: s.spec.name, rules: s.spec.rules, reason }, `guard "${s.spec.name}" resumed (${reason})`);
    }
    if (resumed.length > 0) this.restop();
    return resumed;
  }

  has(name: string): boolean {
    return this.states.some((s) => s.spec.name === name);
  }

  views(): GuardView[] {
    return this.states.map((s) => ({
      name: s.spec.name,
      scope: s.spec.scope,
      source: s.spec.source,
      rules: s.spec.rules,
      condition: describeCondition(s),
      state: s.trippedAt === null ? 'ok' : 'tripped',
      trippedAt: s.trippedAt === null ? null : new Date(s.trippedAt).toISOString(),
      trips: s.trips,
      figures: s.figures,
      resume: s.spec.resume,
      quietMs: s.spec.quietMs,
    }));
  }

  close(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  private evaluate(s: GuardState, now: number): void {
    const figures = s.check(now);
    if (s.trippedAt === null) {
      if (figures !== null) this.trip(s, figures, now);
      return;
    }
    if (figures !== null) s.quietSince = now;
    else if (s.spec.resume === 'auto' && now - s.quietSince >= s.spec.quietMs) this.resume(s.spec.name, 'quiet period over');
  }

  private trip(s: GuardState, figures: TripFigures, now: number): void {
    s.trippedAt = now;
    s.quietSince = now;
    s.trips++;
    s.figures = figures;
    s.window.clear();
    this.restop();
    this.o.tripped(s.spec.name);
    const rules = s.spec.rules;
    this.o.log.warn(
      { guard: s.spec.name, rules, figures, resume: s.spec.resume },
      `guard "${s.spec.name}" tripped: ${describeFigures(figures)}; stopped ${rules.length === 0 ? 'no rules' : `rules ${rules.join(', ')}`}`,
    );
    if (s.spec.webhook !== null) {
      const payload = { event: 'guard.tripped', guard: s.spec.name, rules, figures, at: new Date(now).toISOString() };
      void notifyWebhook(s.spec.webhook, payload, this.o.log);
    }
    this.schedule();
  }

  private restop(): void {
    const stopped = new Map<string, string>();
    for (const [rule, list] of this.byRule) {
      const tripped = list.find((s) => s.trippedAt !== null);
      if (tripped !== undefined) stopped.set(rule, tripped.spec.name);
    }
    this.stopped = stopped;
  }

  /** While an auto-resuming guard is tripped, a timer checks it even when no traffic comes. */
  private schedule(): void {
    const auto = this.states.filter((s) => s.trippedAt !== null && s.spec.resume === 'auto');
    this.close();
    if (auto.length === 0) return;
    const every = Math.max(10, Math.min(1000, ...auto.map((s) => s.spec.quietMs / 4)));
    this.timer = setInterval(() => {
      const now = this.o.now();
      for (const s of auto) if (s.trippedAt !== null) this.evaluate(s, now);
      if (auto.every((s) => s.trippedAt === null)) this.schedule();
    }, every);
    this.timer.unref();
  }
}

function describeCondition(s: GuardState): string {
  const c = s.spec.condition;
  if (c.kind === 'upstreamErrorRate')
    return `upstreamErrorRate above ${Number((c.above * 100).toFixed(4))}% over ${c.overMs}ms (min ${c.min})`;
  return `p99 above ${c.aboveMs}ms over ${c.overMs}ms (min ${c.min})`;
}
