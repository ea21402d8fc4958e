import { reasonPhrase } from '../http/problem.js';
import type { FaultAction } from '../scenario/types.js';
import type { Exchange } from '../proxy/exchange.js';
import { answerStatus } from './answer.js';
import type { FaultKind } from './fault.js';

type StatusAction = Extract<FaultAction, { kind: 'status' }>;

export function injectedDetail(ex: Exchange, status: number): string {
  const by = ex.rule === null ? 'the x-faultline-fault request header' : `rule "${ex.rule.name}"`;
  return `${reasonPhrase(status)}: injected by faultline (${by}).`;
}

/** `status: 507` — answer at once with that status; the upstream never sees the request. */
export const statusFault: FaultKind<StatusAction> = {
  kind: 'status',
  apply(ctx, ex, action) {
    answerStatus(ctx, ex, action, injectedDetail(ex, action.status), null);
  },
};
