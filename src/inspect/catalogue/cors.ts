import { FETCH_CORS, rfc, type CatalogueEntry } from './entry.js';

/** Whether a browser page can read the error (Fetch standard, CORS protocol). */
export const CORS = {
  'cors-missing-on-error': {
    severity: 'error',
    rule: "An error to a request with Origin has no Access-Control-Allow-Origin, while the origin's / (the CORS probe) has one.",
    why: 'Browsers hide a cross-origin response without Access-Control-Allow-Origin, so the page sees a network error instead of the status and body.',
    fix: 'Add the same CORS headers to error responses as to successful ones (set them before the error handler runs).',
    refs: [FETCH_CORS, 'https://fetch.spec.whatwg.org/#cors-check'],
  },
  'cors-vary-missing': {
    severity: 'warning',
    rule: "Access-Control-Allow-Origin echoes the request's Origin without Vary: Origin.",
    why: 'A cache may serve the response allowing one origin to another origin, whose browser then blocks it.',
    fix: 'Add Vary: Origin to every response whose Access-Control-Allow-Origin depends on Origin.',
    refs: ['https://fetch.spec.whatwg.org/#cors-protocol-and-http-caches', rfc(9110, '12.5.5')],
  },
  'cors-wildcard-with-credentials': {
    severity: 'error',
    rule: 'Access-Control-Allow-Origin: * together with Access-Control-Allow-Credentials: true.',
    why: 'Browsers refuse a credentialed response with a wildcard origin, so every request with cookies or authorization fails the CORS check.',
    fix: 'Echo the allowed Origin (with Vary: Origin) when credentials are allowed, or drop Allow-Credentials.',
    refs: ['https://fetch.spec.whatwg.org/#cors-protocol-and-credentials'],
  },
  'cors-multiple-origins': {
    severity: 'error',
    rule: 'Access-Control-Allow-Origin is sent more than once or lists several origins.',
    why: 'The field takes exactly one origin, so browsers fail the CORS check for every page.',
    fix: 'Send one Access-Control-Allow-Origin: the request Origin if it is allowed (with Vary: Origin).',
    refs: ['https://fetch.spec.whatwg.org/#http-access-control-allow-origin'],
  },
  'cors-allow-origin-invalid': {
    severity: 'error',
    rule: 'Access-Control-Allow-Origin is neither *, null nor a serialized origin (scheme://host[:port] with no path or trailing slash).',
    why: 'Browsers compare the value with the Origin byte for byte, so a path, trailing slash or other text never matches and the page is blocked.',
    fix: 'Send the origin exactly as the request Origin header spells it, e.g. https://app.example.',
    refs: ['https://fetch.spec.whatwg.org/#http-access-control-allow-origin', rfc(6454, '6.2')],
  },
  'cors-allow-origin-null': {
    severity: 'warning',
    rule: 'Access-Control-Allow-Origin: null.',
    why: 'Sandboxed iframes, data: URLs and local files all send Origin: null, so allowing null opens the resource to any page that can create one.',
    fix: 'Allow named origins only.',
    refs: ['https://fetch.spec.whatwg.org/#http-access-control-allow-origin'],
  },
} as const satisfies Record<string, CatalogueEntry>;
