import { finding } from '../catalogue.js';
import { parseHttpDate } from '../dates.js';
import { headerValue, headerValues } from '../headers.js';
import type { Finding } from '../types.js';
import type { Check } from './check.js';

const DELAY = /^\d+$/;

/** Is this a Retry-After value clients can act on (RFC 9110 §10.2.3: HTTP-date / delay-seconds)? */
export function isValidRetryAfter(value: string): boolean {
  const v = value.trim();
  return DELAY.test(v) || parseHttpDate(v) !== null;
}

/** 503 and 429 say "come back later": do they say when, in a form clients can read? */
export const retryCheck: Check = {
  name: 'retry-after',
  ids: ['retry-after-missing', 'retry-after-invalid', 'retry-after-past', 'retry-after-date-without-date'],
  run({ exchange: { response } }): Finding[] {
    const { status, headers } = response;
    const values = headerValues(headers, 'retry-after');
    if (values.length === 0) {
      if (status !== 503 && status !== 429) return [];
      return [finding('retry-after-missing', `${status} response has no Retry-After`)];
    }
    if (values.length > 1) {
      return [
        finding('retry-after-invalid', `Retry-After is sent ${values.length} times; it is a single value`, values.join(' | ')),
      ];
    }
    const value = (values[0] ?? '').trim();
    if (DELAY.test(value)) return [];
    const at = parseHttpDate(value);
    if (at === null)
      return [finding('retry-after-invalid', `Retry-After "${value}" is neither delay-seconds nor an HTTP-date`, value)];
    const dateValue = headerValue(headers, 'date');
    const date = dateValue === null ? null : parseHttpDate(dateValue);
    if (date === null)
      return [finding('retry-after-date-without-date', `Retry-After is the date ${value} but the response has no valid Date`)];
    if (at <= date) {
      return [
        finding(
          'retry-after-past',
          `Retry-After ${value} is ${Math.round((date - at) / 1000)} s before the response Date ${dateValue}`,
        ),
      ];
    }
    return [];
  },
};
