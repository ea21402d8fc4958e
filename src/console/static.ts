import type { AdminRequest } from '../admin/router.js';
import type { Asset } from './assets.js';

/**
 * Nothing but the console's own files, no inline script or style, no framing, no form posts: the
 * page holds the admin token, so it must not run anything it did not ship.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** `If-None-Match` uses the weak comparison (RFC 9110 §13.1.2): `W/` is ignored, `*` matches. */
function notModified(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  return header.split(',').some((tag) => {
    const t = tag.trim();
    return t === '*' || (t.startsWith('W/') ? t.slice(2) : t) === etag;
  });
}

/** `gzip` (or `*`) listed without `q=0` (RFC 9110 §12.5.3). */
function acceptsGzip(header: string | undefined): boolean {
  if (header === undefined) return false;
  return header.split(',').some((part) => {
    const [coding = '', ...params] = part.split(';').map((p) => p.trim().toLowerCase());
    return (coding === 'gzip' || coding === '*') && !params.some((p) => /^q=0(\.0*)?$/.test(p));
  });
}

/**
 * Send a built file: 304 when the client's copy is current, gzip when accepted. `no-cache` makes
 * the browser revalidate each load (a 304 on loopback), so a rebuilt console is never stale.
 */
export function sendAsset(ar: AdminRequest, asset: Asset): void {
  const { req, res } = ar;
  const headers: Record<string, string | number> = {
    'content-type': asset.type,
    etag: asset.etag,
    'cache-control': 'no-cache',
    vary: 'accept-encoding',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-request-id': ar.id,
  };
  if (asset.type.startsWith('text/html')) headers['content-security-policy'] = CONTENT_SECURITY_POLICY;
  if (notModified(req.headers['if-none-match'], asset.etag)) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  const gzip = asset.gzip !== null && acceptsGzip(req.headers['accept-encoding']);
  const body = gzip ? asset.gzip : asset.body;
  if (gzip) headers['content-encoding'] = 'gzip';
  headers['content-length'] = body.length;
  res.writeHead(200, headers);
  res.end(ar.method === 'HEAD' ? undefined : body);
}
