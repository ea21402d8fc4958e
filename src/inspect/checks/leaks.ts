import { finding, type FindingId } from '../catalogue.js';
import type { Exchange, Finding } from '../types.js';
import { around, bodyWithoutEcho, isError, type Check } from './check.js';

// Patterns are compiled once here. Bodies are often JSON, where a newline is the two characters
// `\n` and a backslash is `\\`, so no pattern relies on line starts and backslashes come in 1 or 2.
const STACK_TRACE: readonly RegExp[] = [
  // V8: "at fn (/app/x.js:1:2)", "at /app/x.js:1:2", "at async fn (node:internal/x:1:2)"
  /\bat (?:[^\s()]{1,200} ){0,3}\(?[^\s()]{0,300}[./\\][^\s()]{0,300}:\d+:\d+\)?/,
  /Traceback \(most recent call last\)/,
  /\bFile "[^"\n]{1,300}", line \d+/,
  // JVM: "at com.x.Y.method(Y.java:12)", "at java.base/x.Y.m(Native Method)"
  /\bat (?:[\w.$@-]+\/)?[\w$]+(?:\.[\w$<>]+)+\((?:[\w$]+\.(?:java|kt|scala|groovy):\d+|Native Method|Unknown Source)\)/,
  // .NET: "at Ns.Type.Method() in C:\src\X.cs:line 12"
  /\bat [\w.`<>]+\([^)\n]{0,200}\) in [^\n]{1,300}?:line \d+/,
  // PHP: "#0 /var/www/x.php(12): fn()"
  /#\d+ [^\s(]{1,300}\.php\(\d+\)/,
  /goroutine \d+ \[[\w ,]+\]:/,
  /\.rb:\d+:in [`']/,
];

const FILE_PATH: readonly RegExp[] = [
  /(?:^|[\s"'(=,:[])\/(?:home|Users|root|var\/www|var\/lib|usr\/src|usr\/local\/lib|opt|srv)\/[^\s"'<>(),]+/,
  // Any absolute path with a line number after it is a source location.
  /(?:^|[\s"'(=,:[])\/(?:[\w.@-]+\/)+[\w.@-]+\.\w{1,6}:\d+/,
  /\b[A-Za-z]:\\{1,2}(?:[\w .@-]+\\{1,2})+[\w.@-]+/,
];

const SQL_ERROR: readonly RegExp[] = [
  /\bSQLSTATE\b/,
  /syntax error at or near/i,
  /\bORA-\d{5}\b/,
  /\bSQLITE_[A-Z]+\b/,
  /\bER_[A-Z][A-Z_]{2,}\b/,
  /You have an error in your SQL syntax/i,
  /\bPG::[A-Z]\w+/,
  /\bpsycopg2?\.\w*Error\b/,
  /\bSequelize\w*Error\b/,
  /\bQueryFailedError\b/,
  /\bPrismaClient\w*Error\b/,
  /duplicate key value violates unique constraint/i,
  /relation "[^"\n]{1,100}" does not exist/i,
  /\bE11000 duplicate key\b/,
  /Unclosed quotation mark after the character string/i,
  /\bSqlException\b/,
  /\bMongo(?:Server)?Error\b/,
];

const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const INTERNAL_ADDRESS: readonly RegExp[] = [
  // RFC 1918 private ranges, not part of a longer dotted number (a version string).
  new RegExp(
    `(?<![\\d.])(?:10(?:\\.${OCTET}){3}|172\\.(?:1[6-9]|2\\d|3[01])(?:\\.${OCTET}){2}|192\\.168(?:\\.${OCTET}){2})(?![\\d]|\\.\\d)`,
  ),
  // Loopback with a port: a co-located service, not the host the client talked to.
  new RegExp(`(?<![\\d.])127(?:\\.${OCTET}){3}:\\d{1,5}\\b`),
  // Link-local, where cloud metadata services live.
  new RegExp(`(?<![\\d.])169\\.254(?:\\.${OCTET}){2}(?![\\d]|\\.\\d)`),
  // IPv6 unique local (fc00::/7) addresses.
  /(?<![\w:])f[cd][0-9a-f]{2}:(?:[0-9a-f]{0,4}:){1,6}[0-9a-f]{0,4}(?![\w:])/i,
  /\blocalhost:\d{1,5}\b/i,
  /\[::1\]:\d{1,5}\b/,
  /\b[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?(?:\.[a-z0-9-]{1,63})*\.(?:internal|local|localdomain|lan|corp|intranet)(?![\w-]|\.[a-z])/i,
];

const GROUPS: ReadonlyArray<readonly [FindingId, readonly RegExp[], string]> = [
  ['leak-stack-trace', STACK_TRACE, 'a stack trace'],
  ['leak-file-path', FILE_PATH, 'a server file path'],
  ['leak-sql-error', SQL_ERROR, 'database error text'],
  ['leak-internal-address', INTERNAL_ADDRESS, 'an internal address'],
];

/** Fields whose values are dates, ids or tokens, never addresses. */
const NOT_ADDRESSES = new Set([
  'date',
  'expires',
  'last-modified',
  'etag',
  'content-length',
  'content-type',
  'cache-control',
  'set-cookie',
]);

/** The first response field that names an internal address the client did not send itself, or null. */
function internalAddressInFields(exchange: Exchange): string | null {
  const url = new URL(exchange.request.url);
  const known = [url.host, url.hostname, ...exchange.request.headers.map(([, v]) => v)].filter((k) => k.length > 1);
  for (const [name, value] of exchange.response.headers) {
    if (NOT_ADDRESSES.has(name.toLowerCase())) continue;
    let v = value;
    for (const k of known) v = v.split(k).join(' ');
    if (INTERNAL_ADDRESS.some((re) => re.test(v))) return `${name}: ${value}`;
  }
  return null;
}

/** Does the response tell an attacker about the inside of the server (error bodies; fields of any response)? */
export const leaksCheck: Check = {
  name: 'leaks',
  ids: GROUPS.map(([id]) => id),
  run({ exchange }): Finding[] {
    const out: Finding[] = [];
    const field = internalAddressInFields(exchange);
    if (field !== null) out.push(finding('leak-internal-address', 'a response field names an internal address', field));
    if (!isError(exchange.response.status) || exchange.response.text === '' || exchange.response.framing.kind === 'none')
      return out;
    const text = bodyWithoutEcho(exchange);
    for (const [id, patterns, what] of GROUPS) {
      if (id === 'leak-internal-address' && field !== null) continue;
      for (const re of patterns) {
        const m = re.exec(text);
        if (m === null) continue;
        out.push(finding(id, `${exchange.response.status} response body contains ${what}`, around(text, m.index, m[0].length)));
        break;
      }
    }
    return out;
  },
};
