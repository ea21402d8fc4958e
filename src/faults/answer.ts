import type { OutgoingHttpHeaders } from 'node:http';
import { problemFor, reasonPhrase, statusForbidsBody } from '../http/problem.js';
import type { StatusAnswer } from '../scenario/types.js';
import type { Exchange } from '../proxy/exchange.js';
import type { FaultContext } from './fault.js';
import { settleRequestBody } from './request-body.js';

/**
 * Answer the client with a configured status instead of (or in place of) the upstream's answer, as a
 * real server would: RFC 9457 problem+json by default, `Cache-Control: no-store`, the request id,
 * `Retry-After` when configured, no body for HEAD/204/304. `extra` adds members to the default
 * problem body (e.g. the quota that ran out).
 */
export function answerStatus(
  ctx: FaultContext,
  ex: Exchange,
  answer: StatusAnswer,
  detail: string,
  extra: Record<string, unknown> | null,
): void {
  const res = ex.res;
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const status = answer.status;
  let contentType = 'application/problem+json';
  let payload: string;
  if (answer.body === null) {
    const problem = problemFor('FAULTLINE_FAULT_INJECTED', detail, ex.path, ex.id, status);
    problem.type = 'about:blank';
    problem.title = reasonPhrase(status);
    payload = JSON.stringify(extra === null ? problem : { ...problem, ...extra });
  } else {
    contentType = answer.body.contentType;
    payload = answer.body.hasPlaceholders ? renderTemplate(answer.body.text, ex, contentType.includes('json')) : answer.body.text;
  }
  const headers: OutgoingHttpHeaders = {
    'cache-control': 'no-store',
    'x-request-id': ex.id,
  };
  const bodiless = statusForbidsBody(status);
  if (!bodiless) {
    headers['content-type'] = contentType;
    headers['content-length'] = Buffer.byteLength(payload);
  }
  if (answer.retryAfter !== null) headers['retry-after'] = answer.retryAfter;
  if (ex.faultName !== null) headers['x-faultline-fault'] = ex.faultName;
  for (const [name, value] of answer.headers) headers[name.toLowerCase()] = value;
  if (!settleRequestBody(ctx, ex)) headers.connection = 'close';
  res.writeHead(status, headers);
  res.end(bodiless || ex.req.method === 'HEAD' ? undefined : payload);
}

const PLACEHOLDER = /\{(requestId|method|path)\}/g;

/** Fill the placeholders; inside a JSON body the values are escaped as JSON string content. */
function renderTemplate(text: string, ex: Exchange, json: boolean): string {
  return text.replace(PLACEHOLDER, (_, name: string) => {
    const value = name === 'requestId' ? ex.id : name === 'method' ? (ex.req.method ?? '') : ex.path;
    return json ? JSON.stringify(value).slice(1, -1) : value;
  });
}
