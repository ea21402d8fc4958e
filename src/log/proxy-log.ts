import type { Exchange } from '../proxy/exchange.js';
import type { ProxyEvents, UpstreamFailure } from '../proxy/events.js';
import type { Protocol } from '../proxy/wire.js';
import type { Logger } from './logger.js';

/** The HTTP status an injected fault answers with, or null when it does not answer with one (or a gRPC status). */
export function faultCode(ex: Exchange): number | null {
  const action = ex.rule?.fault.action ?? null;
  return action !== null && 'status' in action ? action.status : null;
}

export interface LogEventOptions {
  /** One line per request (--access-log). */
  readonly accessLog: boolean;
  /**
   * For people (--log-format pretty): a request is one line, `PUT /upload/a 507 3ms uploads-507`,
   * its fields a separate debug line; with the access log, the request line carries the rule, so
   * the fault line moves to debug too. JSON lines keep every field on the line, for machines.
   */
  readonly oneLine: boolean;
}

/**
 * The proxy's story in log lines: one info line per injected fault, a warn line per upstream
 * failure, and (only with --access-log) one line per request.
 */
export function createLogEvents(log: Logger, options: LogEventOptions): ProxyEvents {
  const { accessLog, oneLine } = options;
  return {
    requestStarted() {},
    faultApplied(ex: Exchange) {
      const kind = ex.rule?.fault.kind ?? 'header';
      const fields = {
        reqId: ex.id,
        rule: ex.rule?.name ?? 'header',
        kind,
        code: faultCode(ex),
        method: ex.req.method,
        path: ex.path,
      };
      if (!oneLine) log.info(fields, 'fault injected');
      else if (accessLog) log.debug(fields, 'fault injected');
      else {
        log.info(
          `fault injected: ${ex.req.method ?? '-'} ${ex.path} ${fields.rule} (${kind}${fields.code === null ? '' : ` ${fields.code}`})`,
        );
        log.debug(fields, 'fault details');
      }
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
    requestRejected(method: string | undefined, status: number, protocol: Protocol) {
      log.debug(
        { method, status, protocol },
        'request refused: faultline forwards only origin-form requests to its one upstream',
      );
    },
    requestFinished(ex: Exchange, status: number) {
      if (!accessLog) return;
      const ms = Date.now() - ex.startedAt;
      if (oneLine) {
        const rule = ex.marker === null ? '' : ` ${ex.marker}`;
        log.info(`${ex.req.method ?? '-'} ${ex.path} ${status} ${ms}ms${rule}`);
        if (log.isLevelEnabled('debug'))
          log.debug(
            { reqId: ex.id, outcome: ex.outcome, rule: ex.rule?.name ?? null, bytesIn: ex.bytesIn, bytesOut: ex.bytesOut },
            'request details',
          );
        return;
      }
      log.info(
        {
          reqId: ex.id,
          method: ex.req.method,
          path: ex.path,
          status,
          outcome: ex.outcome,
          ms,
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
    requestRejected(method, status, protocol) {
      for (const e of list) e.requestRejected(method, status, protocol);
    },
  };
}
