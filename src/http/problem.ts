import type { IncomingMessage, ServerResponse, OutgoingHttpHeaders } from 'node:http';
import { STATUS_CODES } from 'node:http';
import { ERROR_CODES, type ErrorCode } from '../errors.js';

/**
 * RFC 9457 problem details, as faultline answers every error it makes itself:
 * `application/problem+json`, `Cache-Control: no-store`, the request id, never a stack trace.
 */
export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  requestId: string;
  code?: string;
  [extra: string]: unknown;
}

export const PROBLEM_TYPE_BASE = 'https://faultline.dev/problems/';

export function reasonPhrase(status: number): string {
  return STATUS_CODES[status] ?? 'Unknown Status';
}

/** Build the body for an error of the catalogue. */
export function problemFor(
  code: ErrorCode,
  detail: string,
  instance: string,
  requestId: string,
  status: number = ERROR_CODES[code].status,
): ProblemBody {
  return {
    type:
      PROBLEM_TYPE_BASE +
      code
        .toLowerCase()
        .replace(/^faultline_/, '')
        .replace(/_/g, '-'),
    title: reasonPhrase(status),
    status,
    detail,
    instance,
    requestId,
    code,
  };
}

/** Statuses whose responses never carry content (RFC 9110 §6.4.1, §15.3.5, §15.4.5). */
export function statusForbidsBody(status: number): boolean {
  return status === 204 || status === 304 || (status >= 100 && status < 200);
}

/**
 * Write a problem+json answer, following the headers-sent rule: if a head already went out, the
 * only honest thing left is to destroy the connection.
 */
export function sendProblem(
  req: IncomingMessage,
  res: ServerResponse,
  body: ProblemBody,
  extraHeaders?: OutgoingHttpHeaders,
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const payload = statusForbidsBody(body.status) || req.method === 'HEAD' ? '' : JSON.stringify(body);
  const headers: OutgoingHttpHeaders = {
    'content-type': 'application/problem+json',
    'cache-control': 'no-store',
    'x-request-id': body.requestId,
  };
  if (extraHeaders !== undefined) {
    for (const name in extraHeaders) {
      const value = extraHeaders[name];
      if (value !== undefined) headers[name] = value;
    }
  }
  if (!statusForbidsBody(body.status)) headers['content-length'] = Buffer.byteLength(JSON.stringify(body));
  res.writeHead(body.status, headers);
  res.end(payload);
}

/**
 * A whole problem+json answer as raw HTTP/1.1, for the places that answer on a bare socket where
 * no ServerResponse exists (a refused CONNECT, a refused upgrade). The same headers as
 * `sendProblem`, plus `Connection: close`: the caller ends the socket after writing it.
 */
export function rawProblemResponse(body: ProblemBody, extraHeaders: Readonly<Record<string, string>> = {}): string {
  const payload = JSON.stringify(body);
  let head = `HTTP/1.1 ${body.status} ${reasonPhrase(body.status)}\r\n`;
  for (const name in extraHeaders) head += `${name}: ${extraHeaders[name]}\r\n`;
  return (
    head +
    `content-type: application/problem+json\r\ncache-control: no-store\r\nx-request-id: ${body.requestId}\r\n` +
    `connection: close\r\ncontent-length: ${Buffer.byteLength(payload)}\r\n\r\n${payload}`
  );
}
