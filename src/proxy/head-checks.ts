import type { IncomingMessage, ServerResponse } from 'node:http';
import { problemFor, sendProblem } from '../http/problem.js';
import type { ErrorCode } from '../errors.js';
import type { RefusalReason } from './listener.js';
import { requestIdOf } from './request-id.js';

/** A request head the proxy refuses before any exchange begins. */
export interface HeadRefusal {
  readonly reason: RefusalReason;
  readonly status: number;
}

/**
 * Checks Node's parser leaves to the server: a request line without an HTTP version (Node takes
 * it for HTTP/0.9), two Host headers (RFC 9112 §3.2: 400; which one names the target would be a
 * guess the upstream might make differently), a Transfer-Encoding whose final coding is not
 * chunked (RFC 9112 §6.1: the body's length cannot be known; Node would read it to the end of the
 * connection) and a request target longer than the limit. Each is answered with problem+json and
 * the connection is closed. Null: the head is fine.
 */
export function refuseBadHead(req: IncomingMessage, res: ServerResponse, maxUriLength: number): HeadRefusal | null {
  if (req.httpVersionMajor !== 1)
    return refuse(req, res, 'FAULTLINE_BAD_REQUEST', 'bad_request', 'the request line has no HTTP/1.x version');
  if ((req.url ?? '').length > maxUriLength)
    return refuse(req, res, 'FAULTLINE_URI_TOO_LONG', 'uri_too_long', `the request target is longer than ${maxUriLength} bytes`);
  const raw = req.rawHeaders;
  let hosts = 0;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    if (name.length === 4 && name.toLowerCase() === 'host') hosts++;
  }
  if (hosts > 1) return refuse(req, res, 'FAULTLINE_BAD_REQUEST', 'bad_request', 'the request has more than one Host header');
  const te = req.headers['transfer-encoding'];
  if (te !== undefined && !/(?:^|,)[ \t]*chunked[ \t]*$/i.test(te))
    return refuse(
      req,
      res,
      'FAULTLINE_BAD_REQUEST',
      'bad_request',
      'the request has a Transfer-Encoding whose final coding is not chunked',
    );
  return null;
}

/**
 * The HTTP/2 head checks: the same limits as HTTP/1.1 on the target (`:path`, 414) and on the
 * head, measured as RFC 9113 §6.5.2 measures a header list (each field's name and value plus 32
 * octets, pseudo-header fields included; 431). A refusal is answered with problem+json on the
 * request's stream; the connection, which other streams share, goes on. Null: the head is fine.
 */
export function refuseH2Head(
  req: IncomingMessage,
  res: ServerResponse,
  maxUriLength: number,
  maxHeaderSize: number,
): HeadRefusal | null {
  if ((req.url ?? '').length > maxUriLength)
    return refuseStream(
      req,
      res,
      'FAULTLINE_URI_TOO_LONG',
      'uri_too_long',
      `the request target is longer than ${maxUriLength} bytes`,
    );
  const raw = req.rawHeaders;
  let size = 0;
  for (let i = 0; i < raw.length; i++) size += (raw[i] as string).length;
  if (size + 16 * raw.length > maxHeaderSize)
    return refuseStream(
      req,
      res,
      'FAULTLINE_HEADERS_TOO_LARGE',
      'header_too_large',
      `the request head is larger than ${maxHeaderSize} bytes`,
    );
  return null;
}

function refuseStream(
  req: IncomingMessage,
  res: ServerResponse,
  code: ErrorCode,
  reason: RefusalReason,
  detail: string,
): HeadRefusal {
  req.resume();
  const body = problemFor(code, detail, '/', requestIdOf(req));
  sendProblem(req, res, body);
  return { reason, status: body.status };
}

function refuse(req: IncomingMessage, res: ServerResponse, code: ErrorCode, reason: RefusalReason, detail: string): HeadRefusal {
  res.shouldKeepAlive = false;
  req.resume();
  const url = req.url ?? '';
  const body = problemFor(code, detail, url.length > 200 || url.charCodeAt(0) !== 47 ? '/' : url, requestIdOf(req));
  sendProblem(req, res, body, { connection: 'close' });
  return { reason, status: body.status };
}
