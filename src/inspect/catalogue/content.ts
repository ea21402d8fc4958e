import { rfc, type CatalogueEntry } from './entry.js';

/** What the error body says and whether its label is true. */
export const CONTENT = {
  'error-no-content-type': {
    severity: 'error',
    rule: 'A 4xx/5xx with a body has no Content-Type.',
    why: 'Without Content-Type clients cannot tell how to parse the error body and fall back to guessing or a generic failure.',
    fix: 'Label the body, e.g. Content-Type: application/problem+json.',
    refs: [rfc(9110, '8.3')],
  },
  'error-body-empty': {
    severity: 'warning',
    rule: 'A 4xx/5xx to a method other than HEAD has no content.',
    why: 'Servers should explain an error and whether it is temporary, and an empty body leaves clients and people with only the status code.',
    fix: 'Send a short problem+json body with title and detail.',
    refs: [rfc(9110, '15.5'), rfc(9110, '15.6')],
  },
  'error-body-unstructured': {
    severity: 'info',
    rule: 'A 4xx/5xx body is HTML, plain text or another format a program cannot read fields from.',
    why: 'Programs get no machine-readable reason from an HTML or text error, while problem details give them type, title and detail.',
    fix: 'Answer API errors with application/problem+json (RFC 9457).',
    refs: [rfc(9457, '3')],
  },
  'error-not-problem-json': {
    severity: 'info',
    rule: 'A 4xx/5xx body is JSON or XML, but not problem details.',
    why: 'Ad-hoc JSON errors need per-API parsing, while problem details are a shape generic clients and tools already understand.',
    fix: 'Use application/problem+json with type, title, status and detail.',
    refs: [rfc(9457, '3')],
  },
  'body-not-json': {
    severity: 'error',
    rule: 'A body labelled application/json or +json is not valid JSON, or a problem+json body is not a JSON object.',
    why: 'Clients parse the body as the label says, so the parser throws and the real error is lost behind a parse error.',
    fix: 'Send valid JSON (a JSON object for problem+json), or label the body with its real media type.',
    refs: [rfc(8259, '2'), rfc(9457, '3'), rfc(9110, '8.3')],
  },
  'body-json-mislabelled': {
    severity: 'warning',
    rule: 'A JSON object or array is labelled text/plain or text/html.',
    why: 'Clients that branch on Content-Type do not parse it as JSON, and browsers may render or sniff it.',
    fix: 'Label JSON as application/json (application/problem+json for errors).',
    refs: [rfc(9110, '8.3'), rfc(8259, '11')],
  },
  'charset-missing': {
    severity: 'warning',
    rule: 'A text/* body has non-ASCII bytes but no charset parameter (and, for HTML, no BOM or meta charset).',
    why: 'Without a charset, recipients guess the encoding (text/plain defaults to US-ASCII), so non-ASCII characters come out garbled.',
    fix: 'Add the charset, e.g. Content-Type: text/plain; charset=utf-8.',
    refs: [rfc(9110, '8.3.2'), rfc(6657, '4')],
  },
  'charset-mismatch': {
    severity: 'error',
    rule: 'The body does not decode in its declared charset (or JSON is not UTF-8), the charset is unknown, or a Latin-1 label hides UTF-8 text.',
    why: 'Recipients decode with the declared charset, so the text they show or parse is corrupted.',
    fix: 'Encode the body in the charset you declare (utf-8 is the safe choice) and declare that one.',
    refs: [rfc(9110, '8.3.2'), rfc(8259, '8.1')],
  },
  'problem-status-mismatch': {
    severity: 'error',
    rule: 'A problem+json status member differs from the status line.',
    why: 'The status member must repeat the actual status, and clients that read one or the other act on different failures.',
    fix: 'Set the status member to the response status code, or omit it.',
    refs: [rfc(9457, '3.1.2')],
  },
  'problem-member-invalid': {
    severity: 'warning',
    rule: 'A problem+json member has the wrong type: type, title, detail or instance not a string, status not an integer.',
    why: 'Consumers must ignore a member of the wrong type, so that part of the explanation is lost.',
    fix: 'Send type, title, detail and instance as strings and status as a number.',
    refs: [rfc(9457, '3.1')],
  },
} as const satisfies Record<string, CatalogueEntry>;
