import type { FaultAction } from '../scenario/types.js';
import type { FaultKind } from './fault.js';
import { PASS, planBefore, type Ending } from './plan.js';

type ResetAction = Extract<FaultAction, { kind: 'reset' }>;

/**
 * `reset: true` — the exchange is reset and the request never forwarded: on HTTP/1.1 the client's
 * TCP connection (a real RST; ECONNRESET, curl exit 56), on HTTP/2 its stream (RST_STREAM with
 * `code`, INTERNAL_ERROR by default; curl exit 92), or with `connection: true` the whole HTTP/2
 * connection (GOAWAY with `code`). `afterBytes: N` — forward, relay N bytes of the response body,
 * then reset so (`afterMessages` / `afterEvents`: after the Nth gRPC message or Server-Sent Event).
 * A quota overrun resets at once, in every form.
 */
export const resetFault: FaultKind<ResetAction> = {
  kind: 'reset',
  plan: (action) =>
    action.after === null
      ? planBefore({ step: 'reset', ending: endingOf(action) })
      : { ...PASS, response: { shape: 'limit', after: action.after, then: endingOf(action) } },
  overrun: (action) => ({ step: 'reset', ending: endingOf(action) }),
};

function endingOf(action: ResetAction): Ending {
  return { kind: 'reset', code: action.code, connection: action.connection };
}
