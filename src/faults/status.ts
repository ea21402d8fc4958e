import type { FaultAction } from '../scenario/types.js';
import type { FaultKind } from './fault.js';
import { planBefore } from './plan.js';

type StatusAction = Extract<FaultAction, { kind: 'status' }>;

/** `status: 507` — answer at once with that status; the upstream never sees the request. */
export const statusFault: FaultKind<StatusAction> = {
  kind: 'status',
  plan: (action, why) => planBefore({ step: 'answer', answer: { spec: action, why } }),
  overrun: (action, why) => ({ step: 'answer', answer: { spec: action, why } }),
};
