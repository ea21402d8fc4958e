import type { FaultAction } from '../scenario/types.js';
import { forward } from '../proxy/forward.js';
import { answerStatus } from './answer.js';
import type { FaultKind } from './fault.js';
import { injectedDetail } from './status.js';

type ReplaceAction = Extract<FaultAction, { kind: 'replaceStatus' }>;

/**
 * `replaceStatus: 507` — forward, let the upstream do the work, then drop its answer and reply with
 * the configured status: the "it was written but the client saw an error" case idempotency tests need.
 */
export const replaceStatusFault: FaultKind<ReplaceAction> = {
  kind: 'replaceStatus',
  apply(ctx, ex, action) {
    ex.onUpstreamResponse = (exchange, _upReq, upRes) => {
      // Read the upstream's body to its end so its connection goes back to the pool.
      upRes.resume();
      answerStatus(ctx, exchange, action, injectedDetail(exchange, action.status), null);
      return true;
    };
    forward(ctx.forward, ex);
  },
};
