import { finding } from '../catalogue.js';
import { headerValue } from '../headers.js';
import { REDIRECT_STATUSES } from '../redirect.js';
import type { Finding } from '../types.js';
import type { Check } from './check.js';

/** Where a redirect chain stopped, and why. */
export const redirectsCheck: Check = {
  name: 'redirects',
  ids: ['redirect-not-followed', 'too-many-redirects'],
  run({ exchange: { response }, chain, followed, redirectLimitReached }): Finding[] {
    if (redirectLimitReached) {
      return [
        finding(
          'too-many-redirects',
          `stopped after ${chain.length - 1} redirects; the last answer is still a ${response.status}`,
        ),
      ];
    }
    const location = headerValue(response.headers, 'location');
    if (followed || !REDIRECT_STATUSES.has(response.status) || location === null) return [];
    return [finding('redirect-not-followed', `${response.status} redirects to ${location} (not followed)`)];
  },
};
