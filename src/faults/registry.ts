import type { FaultAction } from '../scenario/types.js';
import type { Exchange } from '../proxy/exchange.js';
import type { FaultContext, FaultKind } from './fault.js';
import { hangFault } from './hang.js';
import { replaceStatusFault } from './replace-status.js';
import { resetFault } from './reset.js';
import { statusFault } from './status.js';
import { throttleFault } from './throttle.js';
import { truncateFault } from './truncate.js';

type Registry = { readonly [K in FaultAction['kind']]: FaultKind<Extract<FaultAction, { kind: K }>> };

/** Every fault kind by name: a new kind is one new file and one line here. (`delay` composes with these: see apply.ts.) */
export const FAULT_KINDS: Registry = {
  status: statusFault,
  replaceStatus: replaceStatusFault,
  reset: resetFault,
  hang: hangFault,
  throttle: throttleFault,
  truncate: truncateFault,
};

export function runAction(ctx: FaultContext, ex: Exchange, action: FaultAction): void {
  (FAULT_KINDS[action.kind] as FaultKind).apply(ctx, ex, action);
}
