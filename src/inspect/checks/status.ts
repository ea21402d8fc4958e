import { finding } from '../catalogue.js';
import type { Finding } from '../types.js';
import { around, bodyWithoutEcho, type Check } from './check.js';

/** Safe methods (RFC 9110 §9.2.1): they ask for nothing to be stored. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);
/** Gateways legitimately report an *upstream's* invalid answer with these. */
const GATEWAY_STATUSES = new Set([502, 504]);
const CLIENT_FAULT = /\b(?:invalid|validation|validat(?:e|ing)|malformed|is required)\b/i;

/** Is the status code the right class and meaning for what happened? */
export const statusCheck: Check = {
  name: 'status',
  ids: ['507-on-safe-method', '5xx-for-client-error'],
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
    return out;
  },
};
