import type { FaultAction, FaultSpec } from '../scenario/types.js';
import { delayLength, withDelay } from './delay.js';
import type { FaultKind } from './fault.js';
import { grpcFault } from './grpc.js';
import { hangFault } from './hang.js';
import { PASS, type Instead, type Plan, type Why } from './plan.js';
import { quotaOverrunAnswer } from './quota-answer.js';
import { replaceStatusFault } from './replace-status.js';
import { resetFault } from './reset.js';
import { statusFault } from './status.js';
import { throttleFault } from './throttle.js';
import { truncateFault } from './truncate.js';

type Registry = { readonly [K in FaultAction['kind']]: FaultKind<Extract<FaultAction, { kind: K }>> };

/**
 * Every fault kind by name: a new kind is one new file and one line here (docs/creating-faults.md).
 * `delay` composes with these (delay.ts). The proxy reaches fault kinds only through this module.
 */
const FAULT_KINDS: Registry = {
  status: statusFault,
  replaceStatus: replaceStatusFault,
  grpc: grpcFault,
  reset: resetFault,
  hang: hangFault,
  throttle: throttleFault,
  truncate: truncateFault,
};

/** The registered kinds' names (the contract suite checks it covers each). */
export const FAULT_KIND_NAMES = Object.keys(FAULT_KINDS) as readonly FaultAction['kind'][];

function kindOf(action: FaultAction): FaultKind {
  return FAULT_KINDS[action.kind];
}

/** The plan for an exchange a fault applies to. */
export function planFor(fault: FaultSpec, why: Why, random: () => number): Plan {
  const plan = fault.action === null ? PASS : kindOf(fault.action).plan(fault.action, why);
  return withDelay(plan, fault.delay, random);
}

/**
 * The plan after a quota rule's request crossed its limit mid-upload: the upstream request is
 * abandoned; the client gets the kind's overrun answer, after the rule's delay if it has one.
 */
export function overrunPlanFor(fault: FaultSpec, why: Why, random: () => number): Plan {
  const before: Instead = fault.action === null ? quotaOverrunAnswer(why) : kindOf(fault.action).overrun(fault.action, why);
  return { ...PASS, waitMs: fault.delay === null ? 0 : delayLength(fault.delay, random), before };
}
