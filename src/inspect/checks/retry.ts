import { finding } from '../catalogue.js';
import { headerValues } from '../headers.js';
import type { Finding } from '../types.js';
import type { Check } from './check.js';

// RFC 9110 §10.2.3: Retry-After = HTTP-date / delay-seconds; §5.6.7: HTTP-date is IMF-fixdate,
// and recipients also accept the obsolete RFC 850 and asctime forms. Date.parse alone is too
// lenient (it reads "1.5" as a date), hence the shapes first.
const DELAY = /^\d+$/;
const DAY = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)';
const LONG_DAY = '(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)';
const MONTH = '(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)';
const TIME = '\\d{2}:\\d{2}:\\d{2}';
const HTTP_DATES = [
  new RegExp(`^${DAY}, \\d{2} ${MONTH} \\d{4} ${TIME} GMT$`),
  new RegExp(`^${LONG_DAY}, \\d{2}-${MONTH}-\\d{2} ${TIME} GMT$`),
  new RegExp(`^${DAY} ${MONTH} [ \\d]\\d ${TIME} \\d{4}$`),
];

/** Is this a Retry-After value clients can act on? */
export function isValidRetryAfter(value: string): boolean {
  const v = value.trim();
  if (DELAY.test(v)) return true;
  return HTTP_DATES.some((re) => re.test(v)) && !Number.isNaN(Date.parse(v));
}

/** 503 and 429 say "come back later": do they say when, in a form clients can read? */
export const retryCheck: Check = {
  name: 'retry-after',
  ids: ['retry-after-missing', 'retry-after-invalid'],
  run({ exchange: { response } }): Finding[] {
    const { status } = response;
    const values = headerValues(response.headers, 'retry-after');
    if (values.length === 0) {
      if (status !== 503 && status !== 429) return [];
      return [finding('retry-after-missing', `${status} response has no Retry-After`)];
    }
    if (values.length > 1) {
      return [
        finding('retry-after-invalid', `Retry-After is sent ${values.length} times; it is a single value`, values.join(' | ')),
      ];
    }
    const [value = ''] = values;
    if (isValidRetryAfter(value)) return [];
    return [finding('retry-after-invalid', `Retry-After "${value}" is neither delay-seconds nor an HTTP-date`, value)];
  },
};
