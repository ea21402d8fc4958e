import { rfc, type CatalogueEntry } from './entry.js';

/** The status code against the request it answers and the fields it requires. */
export const STATUS = {
  '507-on-safe-method': {
    severity: 'warning',
    rule: '507 answers GET, HEAD, OPTIONS or TRACE.',
    why: '507 means the server could not store the representation the request needs, so on a method that stores nothing it misleads clients about what failed and how to recover.',
    fix: 'Answer a read that fails with 500 or 503; keep 507 for PUT, POST, COPY, MKCOL and other writes.',
    refs: [rfc(4918, '11.5'), rfc(9110, '9.2.1')],
  },
  '5xx-for-client-error': {
    severity: 'warning',
    rule: 'A 5xx (but 502/504) body says the request was invalid, malformed, failed validation or lacks a required part.',
    why: 'A 5xx says the server failed, so clients retry a request that can never succeed instead of fixing it.',
    fix: 'Answer a fault in the request with a 4xx (400, 409, 422 ...).',
    refs: [rfc(9110, '15.5'), rfc(9110, '15.6')],
  },
  '401-without-www-authenticate': {
    severity: 'error',
    rule: 'A 401 has no WWW-Authenticate.',
    why: 'A 401 must name at least one challenge, or clients cannot know how to authenticate and treat it as a hard failure.',
    fix: 'Add WWW-Authenticate with the scheme expected, e.g. WWW-Authenticate: Bearer realm="api" (or answer 403 if no credentials will help).',
    refs: [rfc(9110, '15.5.2'), rfc(9110, '11.6.1')],
  },
  '407-without-proxy-authenticate': {
    severity: 'error',
    rule: 'A 407 has no Proxy-Authenticate.',
    why: 'A 407 must name a challenge for the proxy, or clients cannot authenticate to it.',
    fix: 'Add Proxy-Authenticate with the scheme the proxy expects.',
    refs: [rfc(9110, '15.5.8'), rfc(9110, '11.7.1')],
  },
  '405-without-allow': {
    severity: 'error',
    rule: 'A 405 has no Allow.',
    why: 'A 405 must list the methods the resource supports, or clients and tools cannot find the right one.',
    fix: 'Add Allow with the supported methods, e.g. Allow: GET, HEAD.',
    refs: [rfc(9110, '15.5.6'), rfc(9110, '10.2.1')],
  },
  '405-allows-method': {
    severity: 'warning',
    rule: "A 405's Allow lists the very method it refused.",
    why: 'The response contradicts itself: clients told the method is allowed retry it, and get the same refusal.',
    fix: 'List in Allow only the methods the resource accepts, or answer with the status that describes the real failure.',
    refs: [rfc(9110, '15.5.6'), rfc(9110, '10.2.1')],
  },
  '416-without-content-range': {
    severity: 'warning',
    rule: 'A 416 answering a Range request has no Content-Range: bytes */length.',
    why: 'Without the current length, clients cannot correct the range and retry.',
    fix: 'Add Content-Range: bytes */<current length>.',
    refs: [rfc(9110, '15.5.17'), rfc(9110, '14.4')],
  },
  '426-without-upgrade': {
    severity: 'error',
    rule: 'A 426 has no Upgrade.',
    why: 'A 426 must name the protocol to switch to, or clients cannot comply.',
    fix: 'Add Upgrade with the required protocol, e.g. Upgrade: HTTP/2.0 (and Connection: Upgrade).',
    refs: [rfc(9110, '15.5.22'), rfc(9110, '7.8')],
  },
  'status-without-request-feature': {
    severity: 'warning',
    rule: 'The status answers a request feature the request did not use: 412 without a precondition, 417 without Expect, 416 without Range, 304 without a conditional.',
    why: 'These statuses only have meaning for a request that asked for them, so clients that never sent the feature cannot act on the answer.',
    fix: 'Answer with the status that describes what went wrong for this request (often 400, 409 or 500).',
    refs: [rfc(9110, '15.5.13'), rfc(9110, '15.5.18'), rfc(9110, '15.5.17'), rfc(9110, '15.4.5')],
  },
  'redirect-without-location': {
    severity: 'warning',
    rule: 'A 301, 302, 303, 307 or 308 has no Location.',
    why: 'Clients cannot follow a redirect that names no target, so they stop at the 3xx.',
    fix: 'Add Location with the target URI, or answer with a non-redirect status.',
    refs: [rfc(9110, '15.4'), rfc(9110, '10.2.2')],
  },
  'header-meaningless-for-status': {
    severity: 'warning',
    rule: 'A field has no meaning on this status: Location on a 4xx/5xx, Content-Type on a 304.',
    why: 'Clients ignore Location outside 201 and 3xx, and a Content-Type on a 304 rewrites the stored type of the cached response.',
    fix: 'Remove the field from this response.',
    refs: [rfc(9110, '10.2.2'), rfc(9110, '15.4.5')],
  },
  '2xx-body-reports-error': {
    severity: 'warning',
    rule: 'A 2xx body says it is an error ({"error": ...}, "success": false, "status": "error", an error status member, an error page).',
    why: 'Clients, caches, monitors and retry logic all trust the 2xx and treat the failure as a success.',
    fix: 'Answer failures with the 4xx or 5xx status that describes them.',
    refs: [rfc(9110, '15.3'), rfc(9110, '15.5')],
  },
} as const satisfies Record<string, CatalogueEntry>;
