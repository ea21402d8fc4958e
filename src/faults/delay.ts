import type { DelaySpec } from '../scenario/types.js';
import type { Exchange } from '../proxy/exchange.js';

/** A delay's length for this request: fixed, or uniform in [min, max] from the rule set's random. */
export function delayLength(spec: DelaySpec, random: () => number): number {
  return spec.minMs === spec.maxMs ? spec.minMs : spec.minMs + random() * (spec.maxMs - spec.minMs);
}

/**
 * Wait, then run `next` — unless the client goes away first: then the timer is cleared and nothing
 * is forwarded or answered.
 */
export function delayThen(ex: Exchange, ms: number, next: (ex: Exchange) => void): void {
  const onClose = (): void => clearTimeout(timer);
  const timer = setTimeout(() => {
    ex.res.off('close', onClose);
    if (!ex.clientGone) next(ex);
  }, ms);
  ex.res.once('close', onClose);
}
