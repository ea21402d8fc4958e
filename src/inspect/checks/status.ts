import { finding } from '../catalogue.js';
import { isJsonType, mediaType } from '../headers.js';
import type { Finding } from '../types.js';
import { around, bodyWithoutEcho, type Check } from './check.js';

/** Safe methods (RFC 9110 §9.2.1): they ask for nothing to be stored. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);
/** Gateways legitimately report an *upstream's* invalid answer with these. */
const GATEWAY_STATUSES = new Set([502, 504]);
const CLIENT_FAULT = /\b(?:invalid|validation|validat(?:e|ing)|malformed|is required)\b/i;
const FAILED_WORD = /^(?:error|fail|failed|failure|fatal|exception)$/i;
/** A text or HTML 2xx that is an error page. */
const ERROR_PAGE =
  /<title>[^<]{0,80}\b(?:error|exception)\b[^<]{0,80}<\/title>|^\s*(?:internal server error|an error (?:has )?occurred|error:|exception:)/i;

/** Why a parsed 2xx JSON body reads as an error report, or null. */
function jsonError(v: unknown): string | null {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return null;
  const o = v as Record<string, unknown>;
  // GraphQL over HTTP answers 200 with `errors` beside `data`: partial success, by design.
  if ('data' in o && o.data !== null) return null;
  const e = o.error ?? o.errors;
  if (
    (typeof e === 'string' && e !== '') ||
    (typeof e === 'object' && e !== null && (!Array.isArray(e) || e.length > 0)) ||
    e === true
  ) {
    return `"${'error' in o ? 'error' : 'errors'}" member`;
  }
  if (o.success === false || o.ok === false) return `"${o.success === false ? 'success' : 'ok'}": false`;
  if (typeof o.status === 'string' && FAILED_WORD.test(o.status)) return `"status": "${o.status}"`;
  for (const k of ['status', 'statusCode', 'code']) {
    const s = o[k];
    if (typeof s === 'number' && s >= 400 && s < 600 && ('message' in o || 'detail' in o || 'title' in o)) return `"${k}": ${s}`;
  }
  return null;
}

/** Is the status code the right class and meaning for what happened? */
export const statusCheck: Check = {
  name: 'status',
  ids: ['507-on-safe-method', '5xx-for-client-error', '2xx-body-reports-error'],
  run({ exchange }): Finding[] {
    const { request, response } = exchange;
    const out: Finding[] = [];
    const { status } = response;
    if (status === 507 && SAFE_METHODS.has(request.method)) {
      out.push(finding('507-on-safe-method', `507 Insufficient Storage answered a ${request.method}, which stores nothing`));
    }
    if (status >= 500 && status < 600 && !GATEWAY_STATUSES.has(status)) {
      const text = bodyWithoutEcho(exchange);
      const m = CLIENT_FAULT.exec(text);
      if (m !== null) {
        out.push(
          finding(
            '5xx-for-client-error',
            `${status} response body describes a client error ("${m[0]}"); that is a 4xx (RFC 9110 §15.5)`,
            around(text, m.index, m[0].length),
          ),
        );
      }
    }
    if (status >= 200 && status < 300 && response.text !== '' && !response.bodyTruncated) {
      const type = mediaType(response.headers);
      let why: string | null = null;
      if (isJsonType(type) || type === null || type === 'text/plain') {
        try {
          why = jsonError(JSON.parse(response.text));
        } catch {
          why = null;
        }
      }
      if (why === null && (type === 'text/html' || type === 'text/plain')) {
        const m = ERROR_PAGE.exec(response.text);
        if (m !== null) why = `"${m[0].trim().slice(0, 60)}"`;
      }
      if (why !== null)
        out.push(
          finding('2xx-body-reports-error', `${status} response body reports an error (${why})`, response.text.slice(0, 120)),
        );
    }
    return out;
  },
};
