import type { OutgoingHttpHeaders } from 'node:http';
import { statusForbidsBody } from '../http/problem.js';
import { renderDialect, type QuotaFigures } from '../http/dialects/index.js';
import type { StatusAnswer } from '../scenario/types.js';
import type { Exchange } from '../proxy/exchange.js';
import type { FaultContext } from './fault.js';
import { settleRequestBody } from './request-body.js';

/**
 * Answer the client with a configured status instead of (or in place of) the upstream's answer, as a
 * real server would: in the answer's dialect (RFC 9457 problem+json by default, or a vendor's own
 * error body and headers), `Cache-Control: no-store`, the request id, `Retry-After` when
 * configured, no body for HEAD/204/304. `quota` carries the figures of the quota that ran out.
 */
export function answerStatus(
  ctx: FaultContext,
  ex: Exchange,
  answer: StatusAnswer,
  detail: string,
  quota: QuotaFigures | null,
): void {
  const res = ex.res;
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const status = answer.status;
  let contentType: string;
  let payload: string;
  const headers: OutgoingHttpHeaders = {
    'cache-control': 'no-store',
    'x-request-id': ex.id,
  };
  if (answer.body === null) {
    const { dialect } = answer;
    const built = renderDialect(dialect.format, {
      code: dialect.code,
      message: dialect.message,
      status,
      requestId: ex.id,
      resource: ex.path,
      detail,
      quota,
      now: ex.startedAt,
    });
    contentType = built.contentType;
    payload = built.body;
    for (const [name, value] of built.headers) headers[name] = value;
  } else {
    contentType = answer.body.contentType;
    payload = answer.body.hasPlaceholders ? renderTemplate(answer.body.text, ex, contentType.includes('json')) : answer.body.text;
  }
  const bodiless = statusForbidsBody(status);
  const length = bodiless ? 0 : Buffer.byteLength(payload);
  if (!bodiless) {
    headers['content-type'] = contentType;
    headers['content-length'] = length;
  }
  if (answer.retryAfter !== null) headers['retry-after'] = answer.retryAfter;
  if (ex.faultName !== null) headers['x-faultline-fault'] = ex.faultName;
  for (const [name, value] of answer.headers) headers[name.toLowerCase()] = value;
  if (!settleRequestBody(ctx, ex)) headers.connection = 'close';
  res.writeHead(status, headers);
  const sendBody = !bodiless && ex.req.method !== 'HEAD';
  // The access log and the byte metrics count what the client received, injected or relayed.
  if (sendBody) ex.bytesOut += length;
  res.end(sendBody ? payload : undefined);
}

const PLACEHOLDER = /\{(requestId|method|path)\}/g;

/** Fill the placeholders; inside a JSON body the values are escaped as JSON string content. */
function renderTemplate(text: string, ex: Exchange, json: boolean): string {
  return text.replace(PLACEHOLDER, (_, name: string) => {
    const value = name === 'requestId' ? ex.id : name === 'method' ? (ex.req.method ?? '') : ex.path;
    return json ? JSON.stringify(value).slice(1, -1) : value;
  });
}
