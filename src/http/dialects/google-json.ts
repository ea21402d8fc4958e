import { reasonPhrase } from '../problem.js';
import { type DialectInput, type FormatBuilder, camelCode } from './types.js';

/*
 * Google APIs' error object (Drive API "Resolve errors", and Drive's answers as captured by its
 * clients): `error.code` is the HTTP status, `error.message`, and `error.errors[]` with message,
 * domain and reason (the code clients branch on). Google pretty-prints with two spaces.
 */
/** Reasons Google reports in the `usageLimits` domain; everything else is `global`. */
const USAGE_LIMITS = new Set([
  'storageQuotaExceeded',
  'rateLimitExceeded',
  'userRateLimitExceeded',
  'dailyLimitExceeded',
  'quotaExceeded',
]);

export const googleJson: FormatBuilder = (input: DialectInput) => {
  const message = input.message ?? reasonPhrase(input.status);
  const reason = input.code ?? camelCode(reasonPhrase(input.status));
  const domain = USAGE_LIMITS.has(reason) ? 'usageLimits' : 'global';
  const error = { code: input.status, message, errors: [{ message, domain, reason }] };
  return {
    contentType: 'application/json; charset=UTF-8',
    headers: [],
    body: `${JSON.stringify({ error }, null, 2)}\n`,
  };
};
