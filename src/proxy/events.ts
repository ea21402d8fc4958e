import type { Exchange } from './exchange.js';
import type { Protocol } from './wire.js';

/** Why an upstream request failed: a bounded set, used as a metric label. */
export type UpstreamFailure = 'unreachable' | 'timeout' | 'reset' | 'tls' | 'protocol';

/**
 * What the proxy reports as it works; metrics and logs listen here so the hot path itself knows
 * nothing about either. Every method must be cheap: it runs on the request path.
 */
export interface ProxyEvents {
  requestStarted(ex: Exchange): void;
  requestFinished(ex: Exchange, status: number): void;
  upstreamFailed(ex: Exchange, reason: UpstreamFailure, err: Error): void;
  faultApplied(ex: Exchange): void;
  /** A request refused before any exchange began (absolute-form target, CONNECT, a listener limit). */
  requestRejected(method: string | undefined, status: number, protocol: Protocol): void;
}

export const NO_EVENTS: ProxyEvents = {
  requestStarted() {},
  requestFinished() {},
  upstreamFailed() {},
  faultApplied() {},
  requestRejected() {},
};
