import { finding, type FindingId } from '../catalogue.js';
import type { Finding } from '../types.js';
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

/** Does the error body tell an attacker about the inside of the server? */
export const leaksCheck: Check = {
  name: 'leaks',
  ids: GROUPS.map(([id]) => id),
  run({ exchange }): Finding[] {
    if (!isError(exchange.response.status) || exchange.response.text === '') return [];
    const text = bodyWithoutEcho(exchange);
    const out: Finding[] = [];
    for (const [id, patterns, what] of GROUPS) {
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
