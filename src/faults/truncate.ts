import type { FaultAction } from '../scenario/types.js';
import { forward } from '../proxy/forward.js';
import { afterFlush } from './after-flush.js';
import { ByteLimit } from './byte-limit.js';
import type { FaultKind } from './fault.js';

type TruncateAction = Extract<FaultAction, { kind: 'truncate' }>;

/**
 * `truncate: 1KiB` — forward, send the first N bytes of the response body, then close the
 * connection (a FIN, not a reset) without finishing the message: with a Content-Length the client
 * sees fewer bytes than announced, with chunked encoding it never sees the last chunk. Either way a
 * premature end (curl exit 18). A body shorter than N passes whole.
 */
export const truncateFault: FaultKind<TruncateAction> = {
  kind: 'truncate',
  apply(ctx, ex, action) {
    const socket = ex.req.socket;
    ex.responseTransform = new ByteLimit(action.bytes, () => {
      afterFlush(socket, () => socket.destroySoon());
    });
    forward(ctx.forward, ex);
  },
};
