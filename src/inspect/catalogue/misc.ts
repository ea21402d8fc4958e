import { rfc, type CatalogueEntry } from './entry.js';

/** Retry guidance, correlation and redirects. */
export const MISC = {
  'retry-after-missing': {
    severity: 'info',
    rule: 'A 503 or 429 has no Retry-After (allowed, but then clients pick their own back-off).',
    why: 'Without Retry-After clients choose their own back-off, often retrying at once and prolonging the overload.',
    fix: 'Add Retry-After: <seconds> to 503 and 429 responses.',
    refs: [rfc(9110, '10.2.3'), rfc(6585, '4')],
  },
  'no-request-id': {
    severity: 'info',
    rule: 'A 4xx/5xx has no request or correlation id field (X-Request-Id, traceparent, CF-Ray ...).',
    why: 'Without a request or correlation id, a client reporting this error cannot point operators at the matching server logs.',
    fix: 'Add X-Request-Id (or traceparent) to every response and log it.',
    refs: ['https://www.w3.org/TR/trace-context/#traceparent-header'],
  },
  'redirect-not-followed': {
    severity: 'info',
    rule: 'The response is a redirect with Location, and --follow was not given.',
    why: "Clients that do not follow redirects (many API clients, fetch with redirect: 'manual') get this response and not its target.",
    fix: 'Rerun with --follow to inspect the target.',
    refs: [rfc(9110, '15.4')],
  },
  'too-many-redirects': {
    severity: 'error',
    rule: 'Following stopped at --max-redirects with the last answer still a redirect.',
    why: 'Clients give up after a bounded number of redirects (browsers at about 20), so this chain, or loop, ends in a failure.',
    fix: 'Point the redirect at its final target, and break the loop.',
    refs: [rfc(9110, '15.4')],
  },
} as const satisfies Record<string, CatalogueEntry>;
