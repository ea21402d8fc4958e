import type { Plan } from '../faults/plan.js';
import { sendAnswer } from './answer.js';
import type { ProxyContext } from './context.js';
import type { Exchange } from './exchange.js';
import { UpstreamCall, type Forwarding } from './upstream-call.js';

export const PLAIN: Forwarding = { meter: null, skipHeader: null, onOverrun: null };

/**
 * Carry out a plan, point by point: wait, then forward (once: the only place an UpstreamCall is
 * made), answer, reset or hang. The response-side points are the upstream call's. Every timer
 * taken here is released when the exchange ends, so a client that leaves stops the plan.
 */
export function carryOut(ctx: ProxyContext, ex: Exchange, plan: Plan, forwarding: Forwarding): void {
  if (plan.waitMs <= 0) {
    act(ctx, ex, plan, forwarding);
    return;
  }
  const timer = setTimeout(act, plan.waitMs, ctx, ex, plan, forwarding);
  ex.whenDone(() => clearTimeout(timer));
}

function act(ctx: ProxyContext, ex: Exchange, plan: Plan, forwarding: Forwarding): void {
  if (ex.done) return;
  const before = plan.before;
  switch (before.step) {
    case 'forward':
      new UpstreamCall(ctx, ex, plan, forwarding).start();
      return;
    case 'answer':
      sendAnswer(ex, before.answer, ctx.drainLimit);
      return;
    case 'reset':
      ex.wire.reset(ex.req, before.ending);
      return;
    case 'hang': {
      const ms = before.closeAfterMs;
      if (ms === null) return;
      const timer = setTimeout(() => ex.wire.close(ex.req), ms);
      ex.whenDone(() => clearTimeout(timer));
      return;
    }
  }
}
