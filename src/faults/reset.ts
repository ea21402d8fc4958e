import type { FaultAction } from '../scenario/types.js';
import type { FaultKind } from './fault.js';
import { PASS, planBefore } from './plan.js';

type ResetAction = Extract<FaultAction, { kind: 'reset' }>;

/**
 * `reset: true` — the client's TCP connection is reset (a real RST; ECONNRESET, curl exit 56); the
 * request is never forwarded. `reset: { afterBytes: N }` — forward, relay N bytes of the response
 * body, then reset (`afterMessages` / `afterEvents`: after the Nth gRPC message or Server-Sent
 * Event). A quota overrun resets at once, in every form.
 */
export const resetFault: FaultKind<ResetAction> = {
  kind: 'reset',
  plan: (action) =>
    action.after === null
      ? planBefore({ step: 'reset' })
      : { ...PASS, response: { shape: 'limit', after: action.after, then: 'reset' } },
  overrun: () => ({ step: 'reset' }),
};
