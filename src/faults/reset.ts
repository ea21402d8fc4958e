import type { FaultAction } from '../scenario/types.js';
import { forward } from '../proxy/forward.js';
import { afterFlush } from './after-flush.js';
import { ByteLimit } from './byte-limit.js';
import type { FaultKind } from './fault.js';

type ResetAction = Extract<FaultAction, { kind: 'reset' }>;

/**
 * `reset: true` — the client's TCP connection is reset (a real RST via `resetAndDestroy()`, which
 * clients report as ECONNRESET); the request is never forwarded.
 * `reset: { afterBytes: N }` — forward, relay N bytes of the response body, then reset.
 */
export const resetFault: FaultKind<ResetAction> = {
  kind: 'reset',
  apply(ctx, ex, action) {
    const socket = ex.req.socket;
    if (action.afterBytes === null) {
      socket.resetAndDestroy();
      return;
    }
    ex.responseTransform = new ByteLimit(action.afterBytes, () => {
      afterFlush(socket, () => socket.resetAndDestroy());
    });
    forward(ctx.forward, ex);
  },
};
