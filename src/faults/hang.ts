import type { FaultAction } from '../scenario/types.js';
import type { FaultKind } from './fault.js';

type HangAction = Extract<FaultAction, { kind: 'hang' }>;

/**
 * `hang: true` / `hang: 30s` — accept the request and never answer (or, after the duration, close
 * the connection with no answer at all). Nothing is forwarded. The timer is released as soon as the
 * client gives up.
 */
export const hangFault: FaultKind<HangAction> = {
  kind: 'hang',
  apply(_ctx, ex, action) {
    if (action.durationMs === null) return;
    const timer = setTimeout(() => ex.req.socket.destroy(), action.durationMs);
    ex.res.once('close', () => clearTimeout(timer));
  },
};
