import type { IncomingMessage } from 'node:http';
import type { QuotaKeySpec } from '../scenario/types.js';

/** The key used when the request does not carry one (no such header, query or segment). */
export const NO_KEY = '(none)';

/** Which quota a request counts against: a header, a query parameter, a path segment, the client IP, or one global key. */
export function quotaKeyOf(spec: QuotaKeySpec, req: IncomingMessage, path: string, query: string): string {
  switch (spec.kind) {
    case 'global':
      return 'global';
    case 'ip':
      return req.socket.remoteAddress ?? NO_KEY;
    case 'header': {
      const v = req.headers[spec.name];
      const text = Array.isArray(v) ? v[0] : v;
      return text === undefined || text === '' ? NO_KEY : text;
    }
    case 'query': {
      const v = new URLSearchParams(query).get(spec.name);
      return v === null || v === '' ? NO_KEY : v;
    }
    case 'path': {
      // path:1 is the first segment: /files/alice/x → path:2 = alice
      const seg = path.split('/')[spec.index];
      return seg === undefined || seg === '' ? NO_KEY : decodeURIComponent(seg);
    }
  }
}
