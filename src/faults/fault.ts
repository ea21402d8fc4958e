import type { FaultAction } from '../scenario/types.js';
import type { Exchange } from '../proxy/exchange.js';
import type { ForwardContext } from '../proxy/forward.js';

/** What a fault may use: the forwarder and the few settings faults follow. Built once per proxy. */
export interface FaultContext {
  readonly forward: ForwardContext;
  /** Request bodies up to this size are drained after an early answer; larger ones close the connection. */
  readonly drainLimit: number;
}

/**
 * One fault kind: what happens to a request a rule fired on. An implementation either answers the
 * client itself or sets the exchange's forwarding hooks and forwards. It must release every timer,
 * socket and listener it takes when the client goes away (`ex.res` 'close').
 */
export interface FaultKind<A extends FaultAction = FaultAction> {
  readonly kind: A['kind'];
  apply(ctx: FaultContext, ex: Exchange, action: A): void;
}
