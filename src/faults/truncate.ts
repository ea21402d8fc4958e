import type { FaultAction } from '../scenario/types.js';
import type { FaultKind } from './fault.js';
import { PASS } from './plan.js';
import { quotaOverrunAnswer } from './quota-answer.js';

type TruncateAction = Extract<FaultAction, { kind: 'truncate' }>;

/**
 * `truncate: 1KiB` — forward, send the head and the first N body bytes, then close the connection
 * (a FIN) without finishing the message: fewer bytes than the Content-Length announced, or no
 * terminating chunk. Every client sees a premature end (curl exit 18). On HTTP/2 the stream ends
 * with RST_STREAM carrying `code` (INTERNAL_ERROR by default) instead of END_STREAM (curl exit 92).
 * A body of fewer than N bytes passes whole. `truncate: { afterMessages: N }` / `{ afterEvents: N }`
 * cut right after the Nth complete gRPC message or Server-Sent Event instead (cut-counter.ts). A
 * quota overrun has no response to cut: it answers 507 with the details.
 */
export const truncateFault: FaultKind<TruncateAction> = {
  kind: 'truncate',
  plan: (action) => ({
    ...PASS,
    response: { shape: 'limit', after: action.after, then: { kind: 'cut', code: action.code, connection: false } },
  }),
  overrun: (_action, why) => quotaOverrunAnswer(why),
};
