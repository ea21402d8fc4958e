import type { Exchange } from '../proxy/exchange.js';
import type { ProxyEvents, UpstreamFailure } from '../proxy/events.js';
import type { Logger } from './logger.js';

/** The status an injected fault answers with, or null when it does not answer with one. */
export function faultCode(ex: Exchange): number | null {
  const action = ex.rule?.fault.action ?? null;
  return action !== null && (action.kind === 'status' || action.kind === 'replaceStatus') ? action.status : null;
}

/**
 * The proxy's story in log lines: one info line per injected fault, a warn line per upstream
 * failure, and (only with --access-log) one line per request.
 */
export function createLogEvents(log: Logger, accessLog: boolean): ProxyEvents {
  return {
    requestStarted() {},
    faultApplied(ex: Exchange) {
      const kind = ex.rule?.fault.kind ?? 'header';
      log.info(
        { reqId: ex.id, rule: ex.rule?.name ?? 'header', kind, code: faultCode(ex), method: ex.req.method, path: ex.path },
        'fault injected',
      );
    },
    upstreamFailed(ex: Exchange, reason: UpstreamFailure, err: Error) {
      log.warn(
        {
          reqId: ex.id,
          reason,
          err: { code: (err as NodeJS.ErrnoException).code, message: err.message },
          method: ex.req.method,
          path: ex.path,
        },
        'upstream request failed',
      );
    },
    requestRejected(method: string | undefined, status: number) {
      log.debug({ method, status }, 'request refused: faultline forwards only origin-form requests to its one upstream');
    },
    requestFinished(ex: Exchange, status: number) {
      if (!accessLog) return;
      log.info(
        {
          reqId: ex.id,
          method: ex.req.method,
          path: ex.path,
          status,
          outcome: ex.outcome,
          ms: Date.now() - ex.startedAt,
          bytesIn: ex.bytesIn,
          bytesOut: ex.bytesOut,
        },
        'request',
      );
    },
  };
}

/** Several listeners as one. */
export function fanOut(list: readonly ProxyEvents[]): ProxyEvents {
  if (list.length === 1) return list[0] as ProxyEvents;
  // Plain loops: this runs for every request.
  return {
    requestStarted(ex) {
      for (const e of list) e.requestStarted(ex);
    },
    requestFinished(ex, status) {
      for (const e of list) e.requestFinished(ex, status);
    },
    upstreamFailed(ex, reason, err) {
      for (const e of list) e.upstreamFailed(ex, reason, err);
    },
    faultApplied(ex) {
      for (const e of list) e.faultApplied(ex);
    },
    requestRejected(method, status) {
      for (const e of list) e.requestRejected(method, status);
    },
  };
}
