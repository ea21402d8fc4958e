import { finding } from '../catalogue.js';
import { headerValues } from '../headers.js';
import type { Finding } from '../types.js';
import { isError, type Check } from './check.js';

/** A product token with a version (RFC 9110 §10.2.4: product = token ["/" product-version]), outside comments. */
const VERSIONED_PRODUCT = /(?:^|\s)[!#$%&'*+.^_`|~0-9A-Za-z-]+\/v?\d/;
const VERSION_HEADERS = ['x-powered-by', 'x-aspnet-version', 'x-aspnetmvc-version', 'x-generator', 'x-runtime-version'];

/** Cookie deletions (Max-Age<=0 or an Expires in the past) are what an error may do. */
function setsCookie(value: string): boolean {
  const maxAge = /;\s*max-age\s*=\s*(-?\d+)/i.exec(value);
  if (maxAge !== null) return Number(maxAge[1]) > 0;
  const expires = /;\s*expires\s*=\s*([^;]+)/i.exec(value);
  if (expires !== null) {
    const t = Date.parse(expires[1]!.trim());
    if (!Number.isNaN(t) && t < Date.now()) return false;
  }
  return true;
}

/** What the response fields tell an attacker (versions), and cookies set by a failure. */
export const exposureCheck: Check = {
  name: 'exposure',
  ids: ['leak-version', 'set-cookie-on-error'],
  run({ exchange: { response } }): Finding[] {
    const { status, headers } = response;
    const out: Finding[] = [];
    const shown: string[] = [];
    for (const v of headerValues(headers, 'server')) {
      if (VERSIONED_PRODUCT.test(v.replace(/\([^)]*\)/g, ''))) shown.push(`Server: ${v}`);
    }
    for (const name of VERSION_HEADERS) for (const v of headerValues(headers, name)) shown.push(`${name}: ${v}`);
    if (shown.length > 0) out.push(finding('leak-version', `the response discloses ${shown.join('; ')}`));
    if (isError(status)) {
      const set = headerValues(headers, 'set-cookie').filter(setsCookie);
      if (set.length > 0) {
        const names = set.map((c) => c.split('=', 1)[0]?.trim() ?? '');
        out.push(
          finding('set-cookie-on-error', `${status} response sets cookie${names.length > 1 ? 's' : ''} ${names.join(', ')}`),
        );
      }
    }
    return out;
  },
};
