import type { Finding, Severity } from './types.js';

interface CatalogueEntry {
  readonly severity: Severity;
  /** One sentence: why it matters to clients. */
  readonly why: string;
}

/**
 * Every finding the inspector can report: a stable kebab-case id (users and CI match on it), a
 * fixed severity, and why it matters. The table in docs/inspect.md is checked against this.
 */
export const FINDINGS = {
  'error-no-content-type': {
    severity: 'error',
    why: 'Without Content-Type (RFC 9110 §8.3) clients cannot tell how to parse the error body and fall back to guessing or a generic failure.',
  },
  'error-body-unstructured': {
    severity: 'warning',
    why: 'An empty, HTML or plain-text error gives clients no machine-readable reason; application/problem+json (RFC 9457) gives them type, title and detail.',
  },
  'error-not-problem-json': {
    severity: 'info',
    why: 'Ad-hoc JSON errors need per-API parsing, while application/problem+json (RFC 9457 §3) is a shape generic clients and tools already understand.',
  },
  'error-cacheable': {
    severity: 'error',
    why: 'The error carries explicit freshness (RFC 9111 §4.2.1), so CDNs and browser caches may keep serving the failure after it is gone.',
  },
  'error-cache-unspecified': {
    severity: 'warning',
    why: 'Nothing forbids storing this error (no no-store, private, no-cache or max-age=0), so caches may reuse it heuristically (RFC 9111 §4.2.2) and CDNs configured for negative caching will serve it after it is gone.',
  },
  'retry-after-missing': {
    severity: 'warning',
    why: 'Without Retry-After (RFC 9110 §10.2.3, RFC 6585 §4) clients choose their own back-off, often retrying at once and prolonging the overload.',
  },
  'retry-after-invalid': {
    severity: 'error',
    why: 'A Retry-After that is neither delay-seconds nor an HTTP-date (RFC 9110 §10.2.3, §5.6.7) is ignored or misread by clients, so the back-off is lost.',
  },
  '507-on-safe-method': {
    severity: 'warning',
    why: '507 means the server could not store the representation the request needs (RFC 4918 §11.5); on a method that stores nothing it misleads clients about what failed and how to recover.',
  },
  '5xx-for-client-error': {
    severity: 'warning',
    why: 'The body describes a fault in the request, but a 5xx says the server failed (RFC 9110 §15.6), so clients retry a request that can never succeed instead of fixing it.',
  },
  'leak-stack-trace': {
    severity: 'error',
    why: 'A stack trace exposes code structure and versions to anyone who can trigger the error and is of no use to clients.',
  },
  'leak-file-path': {
    severity: 'warning',
    why: 'Server file paths reveal the deployment layout and user names to attackers and mean nothing to clients.',
  },
  'leak-sql-error': {
    severity: 'error',
    why: 'Database error text reveals schema and query shape, a classic aid to SQL injection.',
  },
  'leak-internal-address': {
    severity: 'warning',
    why: 'Private addresses and internal host names map the network behind the edge for attackers and are unreachable for clients anyway.',
  },
  'no-request-id': {
    severity: 'warning',
    why: 'Without a request or correlation id header, a client reporting this error cannot point operators at the matching server logs.',
  },
  'cors-missing-on-error': {
    severity: 'error',
    why: 'Success responses of this origin carry Access-Control-Allow-Origin but this error does not, so browsers hide it and the page sees a network error instead of the status and body.',
  },
  'cors-vary-missing': {
    severity: 'warning',
    why: 'Access-Control-Allow-Origin names one origin without Vary: Origin (RFC 9110 §12.5.5), so a cache may serve this response to another origin, whose browser then blocks it.',
  },
  'body-on-bodiless-response': {
    severity: 'error',
    why: 'Bytes after a HEAD, 204 or 304 response (RFC 9110 §9.3.2, §15.3.5, §15.4.5) are read as the start of the next response and desynchronise keep-alive connections.',
  },
  'content-length-mismatch': {
    severity: 'error',
    why: 'When Content-Length disagrees with the bytes sent (RFC 9112 §6.3), clients get a truncated body, hang waiting for more, or misread the next response on the connection.',
  },
  'redirect-not-followed': {
    severity: 'info',
    why: "Clients that do not follow redirects (many API clients, fetch with redirect: 'manual') get this response and not its target; rerun with --follow to inspect the target.",
  },
  'too-many-redirects': {
    severity: 'error',
    why: 'Clients give up after a bounded number of redirects (browsers at about 20), so this chain, or loop, ends in a failure.',
  },
} as const satisfies Record<string, CatalogueEntry>;

export type FindingId = keyof typeof FINDINGS;

/** Every id, in catalogue order. */
export const FINDING_IDS = Object.freeze(Object.keys(FINDINGS) as FindingId[]);

const EVIDENCE_MAX = 160;

/** Build a finding of the catalogue: severity and why come from there, never from the check. */
export function finding(id: FindingId, message: string, evidence?: string): Finding {
  const entry: CatalogueEntry = FINDINGS[id];
  const f: Finding = { id, severity: entry.severity, message, why: entry.why };
  if (evidence !== undefined) {
    const flat = evidence.replace(/\s+/g, ' ').trim();
    f.evidence = flat.length > EVIDENCE_MAX ? `${flat.slice(0, EVIDENCE_MAX - 1)}…` : flat;
  }
  return f;
}
