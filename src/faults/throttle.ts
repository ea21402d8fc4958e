import type { FaultAction } from '../scenario/types.js';
import type { FaultKind } from './fault.js';
import { PASS } from './plan.js';
import { quotaOverrunAnswer } from './quota-answer.js';

type ThrottleAction = Extract<FaultAction, { kind: 'throttle' }>;

/**
 * `throttle: 64KiB/s` (response) or `{ request, response }` — forward, relaying the body at that rate
 * with backpressure. A quota overrun has no response to slow down: it answers 507 with the details.
 */
export const throttleFault: FaultKind<ThrottleAction> = {
  kind: 'throttle',
  plan: (action) => ({
    ...PASS,
    request: action.requestBps === null ? null : { shape: 'pace', bytesPerSecond: action.requestBps },
    response: action.responseBps === null ? null : { shape: 'pace', bytesPerSecond: action.responseBps },
  }),
  overrun: (_action, why) => quotaOverrunAnswer(why),
};
