import type { DelaySpec } from '../scenario/types.js';
import type { Plan } from './plan.js';

/** A delay's length for this request: fixed, or uniform in [min, max] from the rule set's random. */
export function delayLength(spec: DelaySpec, random: () => number): number {
  return spec.minMs === spec.maxMs ? spec.minMs : spec.minMs + random() * (spec.maxMs - spec.minMs);
}

/**
 * `delay` composes with every kind: before forwarding (or before answering, resetting, hanging),
 * or with `phase: response` at the upstream's response head, after the upstream did its work. A
 * plan that never forwards has no response head: its delay is taken before it acts.
 */
export function withDelay(plan: Plan, delay: DelaySpec | null, random: () => number): Plan {
  if (delay === null) return plan;
  const ms = delayLength(delay, random);
  if (delay.phase === 'response' && plan.before.step === 'forward') return { ...plan, holdHeadMs: ms };
  return { ...plan, waitMs: ms };
}
