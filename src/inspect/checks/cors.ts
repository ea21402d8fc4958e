import { finding } from '../catalogue.js';
import { headerValue, listMembers } from '../headers.js';
import type { Finding } from '../types.js';
import { isError, type Check } from './check.js';

/**
 * Will a browser page see this error? Compared with a success response of the same origin (the
 * CORS probe, see cors-probe.ts): a page only reads a cross-origin response that carries
 * Access-Control-Allow-Origin, errors included (Fetch standard, CORS check).
 */
export const corsCheck: Check = {
  name: 'cors',
  ids: ['cors-missing-on-error', 'cors-vary-missing'],
  run({ exchange: { response }, corsProbe }): Finding[] {
    if (!isError(response.status)) return [];
    const allow = headerValue(response.headers, 'access-control-allow-origin');
    if (allow === null) {
      if (corsProbe === null || corsProbe.allowOrigin === null || corsProbe.status === null || corsProbe.status >= 400) return [];
      return [
        finding(
          'cors-missing-on-error',
          `${response.status} response has no Access-Control-Allow-Origin, but GET ${corsProbe.url} (${corsProbe.status}) has "${corsProbe.allowOrigin}"`,
        ),
      ];
    }
    // RFC 9110 §12.5.5: a response that depends on Origin must say so, or caches mix origins up.
    const vary = listMembers(response.headers, 'vary');
    if (allow.trim() === '*' || vary.includes('origin') || vary.includes('*')) return [];
    return [finding('cors-vary-missing', `${response.status} response allows origin "${allow}" without Vary: Origin`)];
  },
};
