import type { GuardSpec } from '../scenario/guard-plan.js';
import { SlidingWindow } from './window.js';

/** The figures a guard decided on: what the trip log line, the webhook and GET /guards show. */
export interface TripFigures {
  readonly condition: 'upstreamErrorRate' | 'p99';
  /** Exchanges in the window that reached the upstream (error rate) or were proxied (p99). */
  readonly requests: number;
  readonly errors?: number;
  /** The error rate (0..1), or the p99 in ms. */
  readonly value: number;
  /** The threshold it went over. */
  readonly above: number;
  readonly overMs: number;
}

/**
 * One guard's live state: its window, whether it has tripped, and since when its condition has
 * been quiet (for resume: auto).
 */
export class GuardState {
  spec: GuardSpec;
  readonly window: SlidingWindow;
  trippedAt: number | null = null;
  trips = 0;
  figures: TripFigures | null = null;
  /** Since when the condition has not held (resume: auto counts its quiet period from here). */
  quietSince = 0;

  constructor(spec: GuardSpec) {
    this.spec = spec;
    this.window = new SlidingWindow(spec.condition.overMs, spec.condition.kind === 'p99');
  }

  /** The figures when the condition holds now, else null. */
  check(now: number): TripFigures | null {
    const c = this.spec.condition;
    const f = this.window.figures(now);
    if (c.kind === 'upstreamErrorRate') {
      if (f.requests < c.min || f.requests === 0) return null;
      const rate = f.errors / f.requests;
      return rate > c.above
        ? { condition: c.kind, requests: f.requests, errors: f.errors, value: rate, above: c.above, overMs: c.overMs }
        : null;
    }
    if (f.timed < c.min || f.timed === 0) return null;
    const p99 = this.window.quantile(now, 0.99) ?? 0;
    return p99 > c.aboveMs ? { condition: c.kind, requests: f.timed, value: p99, above: c.aboveMs, overMs: c.overMs } : null;
  }
}

/** `upstream error rate 12.5% (25 of 200) over 1000ms > 5%` / `p99 950ms of 120 requests over 2000ms > 800ms`. */
export function describeFigures(f: TripFigures): string {
  if (f.condition === 'upstreamErrorRate')
    return `upstream error rate ${pct(f.value)} (${f.errors ?? 0} of ${f.requests}) over ${f.overMs}ms > ${pct(f.above)}`;
  return `p99 ${f.value}ms of ${f.requests} proxied requests over ${f.overMs}ms > ${f.above}ms`;
}

function pct(v: number): string {
  return `${Number((v * 100).toFixed(2))}%`;
}
