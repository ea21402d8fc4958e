import type { Logger } from '../log/logger.js';
import type { Exchange } from '../proxy/exchange.js';
import type { ProxyEvents } from '../proxy/events.js';
import type { Rule, RuleSet } from '../scenario/types.js';
import { DeadMan } from './heartbeat.js';
import { DryRun } from './dry-run.js';
import { GuardSet, type GuardView } from './guards.js';
import { buildReport, type Report } from './report.js';
import { ShareLimit } from './share-limit.js';
import { Timeline } from './timeline.js';

/** Why a fault a rule fired for was not injected (a metric label). */
export type VetoReason = 'guard' | 'heartbeat' | 'share' | 'dry_run';

/** What the gate reports to metrics. */
export interface GateSignals {
  tripped(guard: string): void;
  vetoed(reason: VetoReason): void;
  dryRun(rule: string): void;
}

export interface GateOptions {
  readonly log: Logger;
  readonly now: () => number;
  /** --dry-run: no rule injects. */
  readonly dryRun: boolean;
  /** --require-heartbeat in ms, or null. */
  readonly requireHeartbeatMs: number | null;
  /** --max-injected-share (0..1), or null. */
  readonly maxInjectedShare: number | null;
  readonly signals: GateSignals;
}

export interface GateStatus {
  readonly guards: readonly GuardView[];
  readonly dryRun: {
    readonly all: boolean;
    readonly rules: readonly string[];
    readonly wouldHaveInjected: Record<string, number>;
  };
  readonly heartbeat: ReturnType<DeadMan['view']> | { readonly required: false };
  readonly maxInjectedShare: number | null;
  readonly shares: Record<string, number>;
}

/**
 * Decides, after a rule fired, whether its fault is injected: not while a guard covering it is
 * tripped, not while the dead-man switch is off, not beyond a share limit, and in a dry run never
 * (counted instead). Composes the parts in that order, so a dry run counts exactly what a live
 * run would inject. Its `events` listen to the proxy: finished exchanges feed the guards' windows
 * and the report's timeline, started ones the share limit's traffic.
 *
 *   rule fired ─▶ guard tripped? ─▶ heartbeat lapsed? ─▶ over its share? ─▶ dry run? ─▶ inject
 *                     │veto              │veto               │veto            │count, veto
 */
export class Gate {
  readonly events: ProxyEvents;
  private readonly o: GateOptions;
  private readonly guards: GuardSet;
  private readonly dry: DryRun;
  private readonly deadMan: DeadMan | null;
  private readonly share: ShareLimit;
  private readonly timeline: Timeline;
  private set: RuleSet | null = null;
  /** The bound set's rule names, in order (shared by the timeline's matched snapshots). */
  private ruleNames: readonly string[] = [];
  /** Nothing can veto: allows() returns at once. */
  private idle = true;
  /** A report reaches back at most to here. */
  private readonly startedAt: number;

  constructor(options: GateOptions) {
    this.o = options;
    const { log, now, signals } = options;
    this.startedAt = now();
    this.guards = new GuardSet({
      log,
      now,
      tripped: (guard) => {
        signals.tripped(guard);
        this.timeline.count(now(), 'trips', guard);
      },
    });
    this.dry = new DryRun(options.dryRun, log, (rule) => signals.dryRun(rule));
    this.deadMan = options.requireHeartbeatMs === null ? null : new DeadMan(options.requireHeartbeatMs, log, now);
    this.share = new ShareLimit(options.maxInjectedShare);
    this.timeline = new Timeline(() => {
      const rules = this.set?.rules ?? [];
      const counts = new Float64Array(rules.length);
      for (let i = 0; i < rules.length; i++) counts[i] = (rules[i] as Rule).state.matched;
      return { names: this.ruleNames, counts };
    });
    this.events = gateEvents(this.guards, this.share, this.timeline, now);
  }

  /** Call with every rule set that becomes live, before a request sees it. */
  bind(set: RuleSet): void {
    this.set = set;
    this.ruleNames = Object.freeze(set.rules.map((r) => r.name));
    this.guards.bind(set.guards);
    this.dry.bind(set.guards.dryRun);
    this.share.bind(set.guards.shares);
    this.idle =
      this.guards.size === 0 && this.deadMan === null && !this.share.active && !this.dry.all && set.guards.dryRun.size === 0;
  }

  /**
   * May `rule`, which fired for this exchange, inject its fault? False: forward it untouched.
   * `random` is the rule's own set's (a session's rules have theirs): a dry run draws from it.
   */
  allows(rule: Rule, ex: Exchange, random: () => number): boolean {
    if (this.idle) return true;
    const name = rule.name;
    const now = this.o.now();
    const signals = this.o.signals;
    if (this.guards.size > 0 && this.guards.stoppedBy(name) !== undefined) {
      signals.vetoed('guard');
      return false;
    }
    if (this.deadMan !== null && !this.deadMan.live(now)) {
      signals.vetoed('heartbeat');
      return false;
    }
    if (this.share.active && !this.share.admit(name, now)) {
      signals.vetoed('share');
      return false;
    }
    if (this.dry.isDry(rule)) {
      this.dry.pretend(rule, random, ex.id, ex.req.method, ex.path);
      this.timeline.count(now, 'dryRun', name);
      signals.vetoed('dry_run');
      return false;
    }
    return true;
  }

  /** POST /heartbeat: returns when injection turns off without another, or null without --require-heartbeat. */
  heartbeat(): number | null {
    return this.deadMan === null ? null : this.deadMan.beat();
  }

  hasGuard(name: string): boolean {
    return this.guards.has(name);
  }

  /** Resume one tripped guard's rules, or every tripped guard's (null). */
  resume(name: string | null, reason: string): string[] {
    return this.guards.resume(name, reason);
  }

  status(): GateStatus {
    const shares: Record<string, number> = {};
    for (const [rule, share] of this.set?.guards.shares ?? []) shares[rule] = share;
    return {
      guards: this.guards.views(),
      dryRun: {
        all: this.dry.all,
        rules: this.set === null ? [] : this.set.rules.filter((r) => this.dry.isDry(r)).map((r) => r.name),
        wouldHaveInjected: Object.fromEntries(this.dry.counts),
      },
      heartbeat: this.deadMan === null ? { required: false } : this.deadMan.view(this.o.now()),
      maxInjectedShare: this.o.maxInjectedShare,
      shares,
    };
  }

  /** The tripped guard stopping `rule`, or null (for the rule listing). */
  stoppedBy(rule: string): string | null {
    return this.guards.stoppedBy(rule) ?? null;
  }

  isDry(rule: Rule): boolean {
    return this.dry.isDry(rule);
  }

  /** The experiment report from `since` (ms since the epoch) until now. */
  report(sinceMs: number): Report {
    const now = this.o.now();
    const since = Math.max(sinceMs, this.startedAt);
    const rules = this.set?.rules ?? [];
    return buildReport({
      since,
      now,
      seconds: this.timeline.between(since, now),
      rules: rules.map((r) => ({
        name: r.name,
        matched: r.state.matched,
        stoppedBy: this.stoppedBy(r.name),
        dryRun: this.dry.isDry(r),
      })),
      guards: this.guards.views(),
    });
  }

  close(): void {
    this.guards.close();
    this.deadMan?.close();
  }
}

/** The proxy events the gate listens to (built once; nothing here allocates per request). */
function gateEvents(guards: GuardSet, share: ShareLimit, timeline: Timeline, now: () => number): ProxyEvents {
  return {
    requestStarted() {
      const t = now();
      if (share.active) share.requestStarted(t);
      // Starts the second (and its matched snapshot) before this request is matched.
      timeline.second(t);
    },
    requestFinished(ex: Exchange, status: number) {
      const t = now();
      const outcome = ex.outcome;
      const reached = outcome === 'proxied' || outcome === 'upstream_error';
      const error = outcome === 'upstream_error' || (outcome === 'proxied' && status >= 500);
      const ms = outcome === 'proxied' ? performance.now() - ex.startedHr : -1;
      if (reached && guards.size > 0) guards.observe(t, error, ms);
      timeline.finished(t, reached, error, ms);
    },
    upstreamFailed() {},
    faultApplied(ex: Exchange) {
      timeline.count(now(), 'injected', ex.rule?.name ?? 'header');
    },
    requestRejected() {
      // Counted like faultline_requests_total counts it, so the report's request total agrees.
      timeline.finished(now(), false, false, -1);
    },
  };
}
