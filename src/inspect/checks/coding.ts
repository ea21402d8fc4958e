import { finding } from '../catalogue.js';
import { headerValue } from '../headers.js';
import type { Finding, HeaderPair } from '../types.js';
import type { Check } from './check.js';

/**
 * Is `coding` acceptable by the request's Accept-Encoding (RFC 9110 §12.5.3)? No field: anything
 * is. Otherwise it must be listed (or `*`) with q > 0; x-gzip is gzip (§8.4.1.3).
 */
function accepted(coding: string, requestHeaders: readonly HeaderPair[]): boolean {
  const field = headerValue(requestHeaders, 'accept-encoding');
  if (field === null) return true;
  const offers = new Map<string, number>();
  for (const member of field.split(',')) {
    const [name = '', ...params] = member.split(';').map((s) => s.trim().toLowerCase());
    if (name === '') continue;
    const q = params.find((p) => p.startsWith('q='));
    offers.set(name === 'x-gzip' ? 'gzip' : name, q === undefined ? 1 : Number(q.slice(2)));
  }
  const c = coding === 'x-gzip' ? 'gzip' : coding;
  const q = offers.get(c) ?? offers.get('*');
  return q !== undefined && q > 0;
}

/** Does the content decode as labelled, in a coding the client offered? */
export const codingCheck: Check = {
  name: 'coding',
  ids: ['content-encoding-invalid', 'content-encoding-not-accepted'],
  run({ exchange: { request, response } }): Finding[] {
    const label = headerValue(response.headers, 'content-encoding');
    if (label === null || response.framing.kind === 'none') return [];
    const out: Finding[] = [];
    if (response.codingError !== null && response.body.length > 0) {
      out.push(
        finding('content-encoding-invalid', `Content-Encoding: ${label}, but the body does not decode (${response.codingError})`),
      );
    }
    const codings = label
      .split(',')
      .map((c) => c.trim().toLowerCase())
      .filter((c) => c !== '' && c !== 'identity');
    const refused = codings.filter((c) => !accepted(c, request.headers));
    if (refused.length > 0) {
      out.push(
        finding(
          'content-encoding-not-accepted',
          `Content-Encoding ${refused.join(', ')} was not offered by Accept-Encoding: ${headerValue(request.headers, 'accept-encoding')}`,
        ),
      );
    }
    return out;
  },
};
