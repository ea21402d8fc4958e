import type { FaultAction } from '../scenario/types.js';
import type { FaultKind } from './fault.js';
import { planBefore } from './plan.js';

type HangAction = Extract<FaultAction, { kind: 'hang' }>;

/**
 * `hang: true` / `hang: 30s` — accept the request and never answer (or, after the duration, close
 * the connection with no answer at all: curl exit 52). Nothing is forwarded.
 */
export const hangFault: FaultKind<HangAction> = {
  kind: 'hang',
  plan: (action) => planBefore({ step: 'hang', closeAfterMs: action.durationMs }),
  overrun: (action) => ({ step: 'hang', closeAfterMs: action.durationMs }),
};
