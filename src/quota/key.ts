import type { IncomingHttpHeaders } from 'node:http';
import type { QuotaKeySpec } from '../scenario/types.js';
import { SECRET_HEADERS, bearerToken, claimText, credentialHash, jwtClaims, userOf } from './credentials.js';

/** The key used when the request does not carry one (no such header, query, segment or credential). */
export const NO_KEY = '(none)';

/** A key header (or query parameter) repeated with different values: which one counts is unknowable. */
export const AMBIGUOUS_KEY: unique symbol = Symbol('ambiguous quota key');

/** What key extraction reads: the request head only (IncomingMessage fits). */
export interface RequestHead {
  readonly headers: IncomingHttpHeaders;
  readonly rawHeaders: readonly string[];
  readonly socket: { readonly remoteAddress?: string | undefined };
}

/**
 * Which quota a request counts against: a header, a query parameter, a path segment, the client
 * IP, the user of its credentials, a JWT claim, or one global key. A pure function of the request
 * head that never throws: a malformed escape in a path key uses the raw segment, a header or query
 * parameter repeated with different values gives AMBIGUOUS_KEY (identical repeats count as one).
 * Keys read from credential headers (authorization, cookie) come back as a hash.
 */
export function quotaKeyOf(spec: QuotaKeySpec, head: RequestHead, path: string, query: string): string | typeof AMBIGUOUS_KEY {
  switch (spec.kind) {
    case 'global':
      return 'global';
    case 'ip':
      return head.socket.remoteAddress ?? NO_KEY;
    case 'header': {
      const v = headerValue(head.rawHeaders, spec.name);
      if (v === AMBIGUOUS_KEY) return v;
      if (v === null || v === '') return NO_KEY;
      return SECRET_HEADERS.has(spec.name) ? credentialHash(v) : v;
    }
    case 'query': {
      const values = new URLSearchParams(query).getAll(spec.name);
      const v = values[0];
      if (v === undefined || v === '') return NO_KEY;
      for (let i = 1; i < values.length; i++) if (values[i] !== v) return AMBIGUOUS_KEY;
      return v;
    }
    case 'path': {
      // path:1 is the first segment: /files/alice/x → path:2 = alice
      const seg = path.split('/')[spec.index];
      return seg === undefined || seg === '' ? NO_KEY : decodeOrRaw(seg);
    }
    case 'user':
    case 'jwt': {
      const auth = headerValue(head.rawHeaders, 'authorization');
      if (auth === AMBIGUOUS_KEY) return auth;
      if (auth === null) return NO_KEY;
      if (spec.kind === 'user') return userOf(auth) ?? NO_KEY;
      const token = bearerToken(auth);
      return (token === null ? null : claimText(jwtClaims(token), spec.claim)) ?? NO_KEY;
    }
  }
}

/** The one value of a header (by lower-case name), null when absent, AMBIGUOUS_KEY when repeated with different values. */
function headerValue(raw: readonly string[], name: string): string | null | typeof AMBIGUOUS_KEY {
  let found: string | null = null;
  for (let i = 0; i < raw.length; i += 2) {
    const n = raw[i] as string;
    if (n.length !== name.length || n.toLowerCase() !== name) continue;
    const v = raw[i + 1] as string;
    if (found === null) found = v;
    else if (found !== v) return AMBIGUOUS_KEY;
  }
  return found;
}

function decodeOrRaw(segment: string): string {
  if (!segment.includes('%')) return segment;
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
