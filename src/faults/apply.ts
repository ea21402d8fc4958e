import type { FaultAction, FaultSpec } from '../scenario/types.js';
import type { Exchange } from '../proxy/exchange.js';
import { forward } from '../proxy/forward.js';
import { delayLength, delayThen } from './delay.js';
import type { FaultContext } from './fault.js';
import { runAction } from './registry.js';

/**
 * Apply a fault to an exchange: an optional delay (before forwarding, or after the upstream's
 * response head with `phase: response`), then the action, or a plain forward for a pure delay.
 */
export function applyFault(ctx: FaultContext, ex: Exchange, fault: FaultSpec, random: () => number): void {
  const delay = fault.delay;
  if (delay === null) {
    act(ctx, ex, fault);
    return;
  }
  const ms = delayLength(delay, random);
  if (delay.phase === 'response' && forwards(fault.action)) {
    ex.responseDelayMs = ms;
    act(ctx, ex, fault);
    return;
  }
  delayThen(ex, ms, (e) => act(ctx, e, fault));
}

function act(ctx: FaultContext, ex: Exchange, fault: FaultSpec): void {
  if (fault.action === null) forward(ctx.forward, ex);
  else runAction(ctx, ex, fault.action);
}

/** Does the action forward the request (so there is an upstream response head to hold)? */
function forwards(action: FaultAction | null): boolean {
  if (action === null) return true;
  switch (action.kind) {
    case 'status':
    case 'hang':
      return false;
    case 'reset':
      return action.afterBytes !== null;
    default:
      return true;
  }
}
