import { rfc, type CatalogueEntry } from './entry.js';

/** Whether a cache may store and reuse the error (RFC 9111). */
export const CACHING = {
  'error-cacheable': {
    severity: 'error',
    rule: 'A storable error (GET or HEAD, or POST with Content-Location) has a positive explicit freshness for shared caches: s-maxage, max-age or Expires after Date, without no-store, no-cache, private or Vary: *.',
    why: 'Shared caches and CDNs may serve this error to every client for its whole freshness lifetime, long after the failure is gone.',
    fix: 'Send Cache-Control: no-store on errors (or a max-age no longer than the failure should be seen).',
    refs: [rfc(9111, '3'), rfc(9111, '4.2.1')],
  },
  'error-cacheable-private': {
    severity: 'warning',
    rule: 'A storable error is marked private but has a positive max-age or Expires, so browser caches may reuse it.',
    why: "The user's own browser keeps showing the error from its cache for the freshness lifetime, even after the server recovered.",
    fix: 'Send Cache-Control: no-store (private only keeps shared caches out).',
    refs: [rfc(9111, '5.2.2.7'), rfc(9111, '4.2.1')],
  },
  'error-cache-heuristic': {
    severity: 'warning',
    rule: 'A storable error without explicit freshness has a heuristically cacheable status (404, 405, 410, 414, 501) or public, and nothing that forbids reuse.',
    why: 'Caches may assign such a response a heuristic lifetime (commonly 10% of the time since Last-Modified) and serve the error without asking the server.',
    fix: 'Send Cache-Control: no-store, or an explicit max-age that says how long the error may be reused.',
    refs: [rfc(9111, '4.2.2'), rfc(9110, '15.1')],
  },
  'error-cache-unspecified': {
    severity: 'warning',
    rule: 'An error to GET or HEAD says nothing about caching (no no-store, no-cache, private, max-age=0 or past Expires); RFC 9111 caches do not store it, but CDN negative caching does.',
    why: 'CDN negative caching (CloudFront caches 4xx/5xx for 10 s by default, others similar) serves the error after it is gone unless the response forbids it.',
    fix: 'Send Cache-Control: no-store on errors.',
    refs: [rfc(9111, '3'), 'https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/HTTPStatusCodes.html'],
  },
  'error-validator': {
    severity: 'warning',
    rule: 'A storable error carries ETag or Last-Modified.',
    why: 'Validators describe the selected representation, so on an error they let caches revalidate the stored error (a 304 extends its life) and let clients send conditionals against an error page.',
    fix: 'Do not send ETag or Last-Modified on error responses.',
    refs: [rfc(9110, '8.8.1'), rfc(9111, '4.3')],
  },
} as const satisfies Record<string, CatalogueEntry>;
