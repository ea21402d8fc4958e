/*
 * Location and Content-Location rewriting, like nginx's `proxy_redirect default`: an upstream
 * answer that points at the upstream's own origin (and under its base path) is made to point at
 * the origin the client used, so the upstream's address never reaches clients and a redirect
 * followed by the client comes back through faultline. Everything after the origin is kept byte
 * for byte. Pure functions: the response path calls `rewriteLocation` only when such a header
 * is present.
 */

/** The upstream as it appears in its own Location headers, computed once at start-up. */
export interface LocationBase {
  /** `scheme://host[:port]`, lower case, default port left out. */
  readonly origin: string;
  /** `host[:port]` for scheme-relative references (`//host/path`). */
  readonly authority: string;
  readonly scheme: string;
  /** The upstream URL's path prefix without its trailing slash ('' for none). */
  readonly basePath: string;
}

export function locationBase(upstream: URL): LocationBase {
  const scheme = upstream.protocol.slice(0, -1).toLowerCase();
  const authority = normalizeAuthority(scheme, upstream.host);
  return { origin: `${scheme}://${authority}`, authority, scheme, basePath: upstream.pathname.replace(/\/+$/, '') };
}

const HOST = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::\d{1,5})?$/;

/**
 * The origin the client addressed: `http://` (or `https://` on a TLS listener) + its Host header.
 * '' when the Host is missing or not a plain host[:port]: the rewritten value is then a
 * path-absolute reference, which the client resolves against the URL it requested.
 */
export function clientOrigin(host: string | undefined, secure = false): string {
  return host !== undefined && HOST.test(host) ? `${secure ? 'https' : 'http'}://${host}` : '';
}

const ABSOLUTE = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)/;

/** The header value to send the client: rewritten when it points at the upstream, else as is. */
export function rewriteLocation(value: string, base: LocationBase, origin: string): string {
  const absolute = ABSOLUTE.exec(value);
  if (absolute !== null) {
    const scheme = (absolute[1] as string).toLowerCase();
    if (scheme !== base.scheme || normalizeAuthority(scheme, absolute[2] as string) !== base.authority) return value;
    const rest = underBase(value.slice(absolute[0].length), base.basePath);
    return rest === null ? value : origin + rest;
  }
  if (value.startsWith('//')) {
    const end = value.slice(2).search(/[/?#]/);
    const authority = end === -1 ? value.slice(2) : value.slice(2, end + 2);
    if (normalizeAuthority(base.scheme, authority) !== base.authority) return value;
    const rest = underBase(value.slice(2 + authority.length), base.basePath);
    if (rest === null) return value;
    return origin === '' ? rest : origin.slice('http:'.length) + rest;
  }
  // A path-absolute reference in the upstream's path space: take its base path off.
  if (base.basePath !== '' && value.startsWith('/')) return underBase(value, base.basePath) ?? value;
  return value;
}

/** The path after the base path ('/' at least), or null when the path is outside it. */
function underBase(path: string, basePath: string): string | null {
  if (basePath !== '') {
    if (!path.startsWith(basePath)) return null;
    const next = path.charAt(basePath.length);
    if (next !== '' && next !== '/' && next !== '?' && next !== '#') return null;
    path = path.slice(basePath.length);
  }
  return path.startsWith('/') ? path : '/' + path;
}

function normalizeAuthority(scheme: string, authority: string): string {
  const lower = authority.toLowerCase();
  if ((scheme === 'http' && lower.endsWith(':80')) || (scheme === 'https' && lower.endsWith(':443')))
    return lower.slice(0, lower.lastIndexOf(':'));
  return lower.endsWith(':') ? lower.slice(0, -1) : lower;
}
