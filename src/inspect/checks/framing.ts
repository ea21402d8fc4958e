import { finding } from '../catalogue.js';
import { headerValue, headerValues } from '../headers.js';
import type { Finding } from '../types.js';
import { isBodiless, type Check } from './check.js';

const DIGITS = /^\d+$/;

/**
 * The declared length, or null when it cannot be one number. RFC 9110 §8.6 allows a list of
 * identical values (a proxy may have merged duplicates); anything else is invalid framing.
 */
function declaredLength(values: readonly string[]): number | null {
  const members = values.flatMap((v) => v.split(',')).map((v) => v.trim());
  const first = members[0];
  if (first === undefined || !DIGITS.test(first) || members.some((m) => m !== first)) return null;
  return Number(first);
}

/** Does the message end where its framing says (RFC 9112 §6.3)? */
export const framingCheck: Check = {
  name: 'framing',
  ids: ['body-on-bodiless-response', 'content-length-mismatch'],
  run({ exchange: { request, response } }): Finding[] {
    const { status, headers, bodyBytes } = response;
    if (isBodiless(request.method, status)) {
      if (bodyBytes === 0) return [];
      const what = request.method === 'HEAD' ? `${status} response to HEAD` : `${status} response`;
      return [
        finding('body-on-bodiless-response', `${what} was followed by ${bodyBytes} bytes of body`, response.text.slice(0, 120)),
      ];
    }
    const values = headerValues(headers, 'content-length');
    // Transfer-Encoding overrides Content-Length (RFC 9112 §6.3 rule 3); a timed-out body is unfinished.
    if (values.length === 0 || headerValue(headers, 'transfer-encoding') !== null || response.timedOut) return [];
    const declared = declaredLength(values);
    if (declared === null) {
      return [finding('content-length-mismatch', `Content-Length "${values.join(', ')}" is not one valid length`)];
    }
    if (declared === bodyBytes) return [];
    const how = bodyBytes < declared ? 'the connection closed after' : 'the server sent';
    return [finding('content-length-mismatch', `Content-Length is ${declared} but ${how} ${bodyBytes} bytes of body`)];
  },
};
