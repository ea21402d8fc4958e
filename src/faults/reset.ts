import type { FaultAction } from '../scenario/types.js';
import type { FaultKind } from './fault.js';
import { PASS, planBefore } from './plan.js';

type ResetAction = Extract<FaultAction, { kind: 'reset' }>;

/**
 * `reset: true` — the client's TCP connection is reset (a real RST; ECONNRESET, curl exit 56); the
 * request is never forwarded. `reset: { afterBytes: N }` — forward, relay N bytes of the response
 * body, then reset. A quota overrun resets at once, in both forms.
 */
export const resetFault: FaultKind<ResetAction> = {
  kind: 'reset',
  plan: (action) =>
    action.afterBytes === null
      ? planBefore({ step: 'reset' })
      : { ...PASS, response: { shape: 'limit', bytes: action.afterBytes, then: 'reset' } },
  overrun: () => ({ step: 'reset' }),
};
