import { finding, type FindingId } from '../catalogue.js';
import { hasHeader, headerValue } from '../headers.js';
import { REDIRECT_STATUSES } from '../redirect.js';
import type { Finding, HeaderPair } from '../types.js';
import type { Check } from './check.js';

/** Fields a status must carry (RFC 9110 §15.5.2, §15.5.6, §15.5.8, §15.5.22). */
const REQUIRED: ReadonlyArray<readonly [number, string, FindingId]> = [
  [401, 'WWW-Authenticate', '401-without-www-authenticate'],
  [405, 'Allow', '405-without-allow'],
  [407, 'Proxy-Authenticate', '407-without-proxy-authenticate'],
  [426, 'Upgrade', '426-without-upgrade'],
];

/** The request feature a status answers, when the request did not use it; null when it did. */
function missingFeature(status: number, method: string, req: readonly HeaderPair[]): string | null {
  const has = (n: string): boolean => hasHeader(req, n);
  // 412: If-Match, If-Unmodified-Since, or If-None-Match on a method other than GET/HEAD (§13.1, §13.2.2).
  if (
    status === 412 &&
    !has('if-match') &&
    !has('if-unmodified-since') &&
    !(has('if-none-match') && method !== 'GET' && method !== 'HEAD')
  ) {
    return '412 Precondition Failed answered a request with no precondition that can fail (If-Match, If-Unmodified-Since, If-None-Match)';
  }
  if (status === 417 && !has('expect')) return '417 Expectation Failed answered a request without Expect';
  if (status === 416 && !has('range')) return '416 Range Not Satisfiable answered a request without Range';
  // §15.4.5: 304 only answers a conditional GET or HEAD.
  if (status === 304 && !has('if-none-match') && !has('if-modified-since'))
    return '304 Not Modified answered a request without If-None-Match or If-Modified-Since';
  return null;
}

/** Does the status carry what it requires, and fit the request it answers? */
export const requirementsCheck: Check = {
  name: 'requirements',
  ids: [
    '401-without-www-authenticate',
    '405-without-allow',
    '407-without-proxy-authenticate',
    '426-without-upgrade',
    '405-allows-method',
    '416-without-content-range',
    'status-without-request-feature',
    'redirect-without-location',
    'header-meaningless-for-status',
  ],
  run({ exchange: { request, response } }): Finding[] {
    const { status, headers } = response;
    const out: Finding[] = [];
    for (const [code, field, id] of REQUIRED) {
      if (status === code && !hasHeader(headers, field)) out.push(finding(id, `${status} response has no ${field}`));
    }
    const allow = headerValue(headers, 'allow');
    if (status === 405 && allow !== null) {
      const methods = allow.split(',').map((m) => m.trim());
      if (methods.includes(request.method))
        out.push(finding('405-allows-method', `405 refused ${request.method} but Allow: ${allow} lists it`));
    }
    if (status === 416 && hasHeader(request.headers, 'range') && !hasHeader(headers, 'content-range')) {
      out.push(finding('416-without-content-range', '416 response to a Range request has no Content-Range'));
    }
    const feature = missingFeature(status, request.method, request.headers);
    if (feature !== null) out.push(finding('status-without-request-feature', feature));
    if (REDIRECT_STATUSES.has(status) && !hasHeader(headers, 'location')) {
      out.push(finding('redirect-without-location', `${status} response has no Location`));
    }
    if (status >= 400 && hasHeader(headers, 'location')) {
      out.push(
        finding(
          'header-meaningless-for-status',
          `Location: ${headerValue(headers, 'location')} on a ${status}, where it means nothing`,
        ),
      );
    }
    if (status === 304 && hasHeader(headers, 'content-type')) {
      out.push(
        finding(
          'header-meaningless-for-status',
          `Content-Type: ${headerValue(headers, 'content-type')} on a 304 would overwrite the cached type`,
        ),
      );
    }
    return out;
  },
};
