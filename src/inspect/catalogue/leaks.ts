import { OWASP_ERRORS, rfc, type CatalogueEntry } from './entry.js';

/** What the response tells an attacker about the inside of the server. */
export const LEAKS = {
  'leak-stack-trace': {
    severity: 'error',
    rule: 'An error body contains a V8, Python, JVM, .NET, PHP, Go or Ruby stack trace.',
    why: 'A stack trace exposes code structure and versions to anyone who can trigger the error and is of no use to clients.',
    fix: 'Log the stack server-side with the request id and send only a generic detail.',
    refs: [OWASP_ERRORS],
  },
  'leak-file-path': {
    severity: 'warning',
    rule: 'An error body contains an absolute server file path.',
    why: 'Server file paths reveal the deployment layout and user names to attackers and mean nothing to clients.',
    fix: 'Remove file paths from error details; log them instead.',
    refs: [OWASP_ERRORS, rfc(9110, '17.3')],
  },
  'leak-sql-error': {
    severity: 'error',
    rule: 'An error body contains database error text (SQLSTATE, driver or ORM errors).',
    why: 'Database error text reveals schema and query shape, a classic aid to SQL injection.',
    fix: 'Map database errors to a generic problem (and a 4xx where the input was at fault); log the original.',
    refs: [OWASP_ERRORS],
  },
  'leak-internal-address': {
    severity: 'warning',
    rule: 'A private, link-local or loopback-with-port address, or an internal host name, appears in an error body, or in Location, Via or another response field of any response.',
    why: 'Private addresses and internal host names map the network behind the edge for attackers and are unreachable for clients anyway.',
    fix: 'Rewrite Location to the public host, drop internal Via/backend headers at the edge, and keep addresses out of error text.',
    refs: [rfc(9110, '7.6.3'), rfc(9110, '10.2.2')],
  },
  'leak-version': {
    severity: 'warning',
    rule: 'Server carries a product version, or X-Powered-By, X-AspNet-Version, X-AspNetMvc-Version or X-Generator is present.',
    why: 'Product and version details tell attackers which known vulnerabilities to try, and clients have no use for them.',
    fix: 'Drop X-Powered-By and framework version headers, and send Server without a version (or not at all).',
    refs: [rfc(9110, '10.2.4'), rfc(9110, '17.12')],
  },
  'set-cookie-on-error': {
    severity: 'warning',
    rule: 'A 4xx/5xx sets a cookie (deleting one, with Max-Age=0 or a past Expires, is fine).',
    why: 'A cookie set by a failed request creates or changes session state for an operation that did not happen, and a cached error hands it to other users.',
    fix: 'Set cookies only on success; on errors only delete them.',
    refs: [rfc(6265, '4.1'), rfc(9111, '3')],
  },
} as const satisfies Record<string, CatalogueEntry>;
