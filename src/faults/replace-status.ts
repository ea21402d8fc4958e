import type { FaultAction } from '../scenario/types.js';
import type { FaultKind } from './fault.js';
import { PASS } from './plan.js';

type ReplaceAction = Extract<FaultAction, { kind: 'replaceStatus' }>;

/**
 * `replaceStatus: 507` — forward, let the upstream do the work, then answer with the configured
 * status instead of the upstream's (whose body is read and dropped): "it was written, but the
 * client saw an error". `replaceStatus: { grpc: UNAVAILABLE }` answers a gRPC status instead
 * (Trailers-Only): the server did the work, the client gets that status.
 */
export const replaceStatusFault: FaultKind<ReplaceAction> = {
  kind: 'replaceStatus',
  plan: (action, why) => ({ ...PASS, replaceHead: { spec: action, why } }),
  overrun: (action, why) => ({ step: 'answer', answer: { spec: action, why } }),
};
