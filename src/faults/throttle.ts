import type { FaultAction } from '../scenario/types.js';
import { forward } from '../proxy/forward.js';
import type { FaultKind } from './fault.js';
import { ThrottleStream } from './throttle-stream.js';

type ThrottleAction = Extract<FaultAction, { kind: 'throttle' }>;

/** `throttle: 64KiB/s` (response) or `{ request, response }` — forward at a limited rate, with backpressure. */
export const throttleFault: FaultKind<ThrottleAction> = {
  kind: 'throttle',
  apply(ctx, ex, action) {
    if (action.requestBps !== null) ex.requestTransform = new ThrottleStream(action.requestBps);
    if (action.responseBps !== null) ex.responseTransform = new ThrottleStream(action.responseBps);
    forward(ctx.forward, ex);
  },
};
