import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { problemFor, reasonPhrase } from '../http/problem.js';
import type { ErrorCode } from '../errors.js';
import { ERROR_CODES } from '../errors.js';

/** What a client connection may use; see the listener settings in docs/configuration.md. */
export interface ListenerLimits {
  /** Time to send a complete request head; 0: no limit. */
  readonly headersTimeoutMs: number;
  readonly keepAliveTimeoutMs: number;
  /** 0: no limit. */
  readonly maxConnections: number;
  readonly maxHeaderSize: number;
  readonly maxUriLength: number;
}

/** Why a connection was cut by the listener: a bounded set, used as a metric label. */
export type RefusalReason = 'max_connections' | 'headers_timeout' | 'header_too_large' | 'uri_too_long' | 'bad_request';

/** What the listener reports (metrics and the debug log listen; proxy/ knows neither). */
export interface ListenerEvents {
  connectionRefused(reason: RefusalReason, remoteAddress: string | undefined): void;
}

interface Refusal {
  readonly reason: RefusalReason;
  readonly code: ErrorCode;
  readonly detail: string;
}

/** The Node error of a `clientError` event, as a refusal; null for a client that simply went away. */
export function refusalOf(err: NodeJS.ErrnoException & { rawPacket?: unknown; bytesParsed?: number }): Refusal | null {
  switch (err.code) {
    case 'ECONNRESET':
    case 'EPIPE':
    case 'HPE_INVALID_EOF_STATE':
      return null;
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return {
        reason: 'headers_timeout',
        code: 'FAULTLINE_REQUEST_TIMEOUT',
        detail: 'the request head did not arrive in time',
      };
    case 'HPE_HEADER_OVERFLOW':
      return inRequestLine(err.rawPacket, err.bytesParsed)
        ? { reason: 'uri_too_long', code: 'FAULTLINE_URI_TOO_LONG', detail: 'the request line is longer than the head allows' }
        : { reason: 'header_too_large', code: 'FAULTLINE_HEADERS_TOO_LARGE', detail: 'the request head is too large' };
    default:
      return { reason: 'bad_request', code: 'FAULTLINE_BAD_REQUEST', detail: 'the request is not valid HTTP/1.1' };
  }
}

/**
 * Whether the head overflowed inside its request line. Node reports the overflow with the chunk
 * being parsed: when that chunk starts with a method and has no line end before the overflow,
 * the request target is what is too long. (A request line split over several reads is reported
 * as a too-large head: 431 rather than 414, both refuse it.)
 */
function inRequestLine(raw: unknown, parsed: number | undefined): boolean {
  if (!Buffer.isBuffer(raw)) return false;
  const head = raw.subarray(0, parsed ?? raw.length);
  return /^[A-Z]+ /.test(head.subarray(0, 24).toString('latin1')) && !head.includes(10);
}

/**
 * A `clientError` answer: problem+json with a fresh request id, then the connection is closed.
 * Nothing is ever written into a response in progress on the socket: an earlier, pipelined
 * request's response is left to finish and the connection closes after it, with no answer for
 * the broken request; a request whose own body is broken is cut.
 */
export function answerClientError(socket: Socket, refusal: Refusal | null): void {
  // The response being written on this socket, if any: Node's own clientError handler reads the
  // same (internal, long-stable) property for the same decision.
  const current = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
  if (refusal !== null && current != null && !current.writableFinished) {
    // The broken bytes are that request's own body (a bad chunk size, say): it can never
    // complete, so neither can its exchange. Otherwise they follow it: let its answer finish.
    if (current.req.complete) current.shouldKeepAlive = false;
    else socket.destroy();
    return;
  }
  if (refusal === null || !socket.writable) {
    socket.destroy();
    return;
  }
  const id = randomUUID();
  const status = ERROR_CODES[refusal.code].status;
  const body = JSON.stringify(problemFor(refusal.code, refusal.detail, `urn:uuid:${id}`, id));
  socket.end(
    `HTTP/1.1 ${status} ${reasonPhrase(status)}\r\nContent-Type: application/problem+json\r\nCache-Control: no-store\r\n` +
      `X-Request-Id: ${id}\r\nConnection: close\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
