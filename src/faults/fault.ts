import type { FaultAction } from '../scenario/types.js';
import type { Instead, Plan, Why } from './plan.js';

/**
 * One fault kind: the plan for an exchange a rule fired on. Implementations are pure: they read
 * the compiled action and return data (plan.ts); the proxy core carries the plan out, releases
 * what it took, and forwards at most once. See docs/creating-faults.md.
 */
export interface FaultKind<A extends FaultAction = FaultAction> {
  readonly kind: A['kind'];
  /** The plan for one exchange; `why` explains any answer the plan gives. */
  plan(action: A, why: Why): Plan;
  /**
   * A quota rule's request crossed its limit after forwarding began (mid-upload): the upstream
   * request is abandoned and this is what the client gets instead, at once (or after the rule's delay).
   */
  overrun(action: A, why: Why): Instead;
}
