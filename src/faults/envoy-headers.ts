import type { IncomingHttpHeaders } from 'node:http';
import { grpcStatusForHttp, isGrpcContentType } from '../http/dialects/grpc.js';
import type { BodyTemplate, FaultAction, FaultSpec } from '../scenario/types.js';
import { PROBLEM } from './header-fault.js';

/*
 * Envoy's per-request fault headers (the HTTP fault filter configured with header_abort,
 * header_delay and header_limit, each at its default percentage of 100/HUNDRED), so suites written
 * for Envoy or Istio run unchanged. Semantics follow Envoy's fault_config.cc:
 *
 *   x-envoy-fault-abort-request               status to answer with; honoured when 200 <= n < 600
 *   x-envoy-fault-abort-grpc-request          gRPC status to answer with (HTTP 200); only when
 *                                             no valid x-envoy-fault-abort-request is given
 *   x-envoy-fault-abort-request-percentage    0-100 (min'd with 100); unparsable: 100 (both aborts)
 *   x-envoy-fault-delay-request               delay in ms before forwarding
 *   x-envoy-fault-delay-request-percentage    as for abort
 *   x-envoy-fault-throughput-response         response body rate in KiB/s; 0: none
 *   x-envoy-fault-throughput-response-percentage
 *
 * A value that is not an unsigned integer means "no such fault" (Envoy ignores it; no error), and
 * only a header's first value counts. The delay comes first, then the abort; an abort leaves no
 * response to throttle. Each fault draws its own percentage from the rule set's seeded source.
 * The headers are forwarded as sent, as Envoy forwards them.
 *
 * An abort is Envoy's local reply: to a gRPC request (content-type application/grpc*) it is a
 * gRPC status, Trailers-Only with `grpc-message: fault filter abort` — the gRPC status asked
 * for, or the one an HTTP abort maps to (503 → UNAVAILABLE ...); to any other request the
 * HTTP status with the text body (HTTP 200 for a gRPC abort).
 */

const ABORT = 'x-envoy-fault-abort-request';
const ABORT_PERCENT = 'x-envoy-fault-abort-request-percentage';
const ABORT_GRPC = 'x-envoy-fault-abort-grpc-request';
const DELAY = 'x-envoy-fault-delay-request';
const DELAY_PERCENT = 'x-envoy-fault-delay-request-percentage';
const THROUGHPUT = 'x-envoy-fault-throughput-response';
const THROUGHPUT_PERCENT = 'x-envoy-fault-throughput-response-percentage';

/** Envoy's own abort body (a local reply from the fault filter). */
const ABORT_TEXT = 'fault filter abort';
const ABORT_BODY: BodyTemplate = Object.freeze({ contentType: 'text/plain', text: ABORT_TEXT, hasPlaceholders: false });

/** Does the request carry one of Envoy's fault headers (so the fault decision below is needed)? */
export function hasEnvoyFault(headers: IncomingHttpHeaders): boolean {
  return (
    headers[ABORT] !== undefined ||
    headers[ABORT_GRPC] !== undefined ||
    headers[DELAY] !== undefined ||
    headers[THROUGHPUT] !== undefined
  );
}

/**
 * The fault Envoy would inject for these headers, as the FaultSpec the header fault path applies,
 * or null when none fires this time (no valid header, or every percentage draw said no).
 */
export function envoyFault(headers: IncomingHttpHeaders, random: () => number): FaultSpec | null {
  const delayMs = unsigned(headers[DELAY]);
  const delay = delayMs !== null && fires(headers[DELAY_PERCENT], random) ? delayMs : null;
  const status = unsigned(headers[ABORT]);
  const http = status !== null && status >= 200 && status < 600 ? status : null;
  const grpc = http === null ? unsigned(headers[ABORT_GRPC]) : null;
  let action: FaultAction | null = null;
  if ((http !== null || grpc !== null) && fires(headers[ABORT_PERCENT], random)) {
    action = abort(http, grpc, isGrpcContentType(headers['content-type']));
  } else {
    const kib = unsigned(headers[THROUGHPUT]);
    if (kib !== null && kib > 0 && fires(headers[THROUGHPUT_PERCENT], random))
      action = { kind: 'throttle', requestBps: null, responseBps: kib * 1024 };
  }
  if (delay === null && action === null) return null;
  return {
    delay: delay === null ? null : { minMs: delay, maxMs: delay, phase: 'request' },
    action,
    kind: action === null ? 'delay' : action.kind,
  };
}

/** Envoy's local reply for an abort: a gRPC status to a gRPC request, else the HTTP status (200 for a gRPC abort). */
function abort(http: number | null, grpc: number | null, grpcRequest: boolean): FaultAction {
  if (grpcRequest)
    return { kind: 'grpc', grpcStatus: grpc ?? grpcStatusForHttp(http as number), message: ABORT_TEXT, details: null };
  return { kind: 'status', status: http ?? 200, body: ABORT_BODY, dialect: PROBLEM, headers: [], retryAfter: null };
}

/** absl::SimpleAtoi into an unsigned integer: optional whitespace and `+`; anything else is null. */
function unsigned(value: string | string[] | undefined): number | null {
  if (value === undefined) return null;
  // Only the first value counts (Node joins repeated unknown headers with ", ").
  const first = Array.isArray(value) ? (value[0] ?? '') : value.split(',')[0]!;
  if (!/^\s*\+?\d+\s*$/.test(first)) return null;
  const n = Number(first.trim());
  return Number.isSafeInteger(n) ? n : null;
}

/** Envoy's percentage: numerator min'd with the configured 100 (of HUNDRED); unparsable → 100. */
function fires(percentage: string | string[] | undefined, random: () => number): boolean {
  const n = unsigned(percentage);
  const numerator = n === null ? 100 : Math.min(n, 100);
  if (numerator >= 100) return true;
  return numerator > 0 && random() * 100 < numerator;
}
