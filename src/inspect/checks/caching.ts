import { deltaSeconds, parseCacheControl, type CacheControl } from '../cache-control.js';
import { finding } from '../catalogue.js';
import { parseHttpDate } from '../dates.js';
import { hasHeader, headerValue, headerValues, listMembers } from '../headers.js';
import type { Exchange, Finding } from '../types.js';
import { isError, type Check } from './check.js';

/** RFC 9110 §15.1: statuses a cache may give heuristic freshness (the 4xx/5xx ones matter here). */
const HEURISTIC = new Set([200, 203, 204, 206, 300, 301, 308, 404, 405, 410, 414, 501]);

/** Explicit lifetime for a cache (RFC 9111 §4.2.1), or null when the response states none. */
function lifetime(cc: CacheControl, ex: Exchange, shared: boolean): { seconds: number; source: string } | null {
  for (const name of shared ? ['s-maxage', 'max-age'] : ['max-age']) {
    const s = deltaSeconds(cc.map.get(name));
    if (s !== null) return { seconds: s, source: `${name}=${s}` };
  }
  const expires = headerValues(ex.response.headers, 'expires');
  if (expires.length === 0) return null;
  // An invalid Expires, or several, mean "already expired" (RFC 9111 §5.3, §4.2.1).
  const at = expires.length === 1 ? parseHttpDate(expires[0]!) : null;
  if (at === null) return { seconds: 0, source: `Expires: ${expires.join(', ')}` };
  const date = parseHttpDate(headerValue(ex.response.headers, 'date') ?? '');
  return { seconds: Math.floor((at - (date ?? Date.now())) / 1000), source: `Expires: ${expires[0]}` };
}

/**
 * May a cache store this response at all (RFC 9111 §3)? Only responses to cacheable methods
 * (GET, HEAD; POST only with explicit freshness and a Content-Location equal to its target, RFC
 * 9110 §9.3.3), without no-store in request or response, and not Vary: * (never reusable, §4.1).
 */
function storable(ex: Exchange, cc: CacheControl): boolean {
  const { request, response } = ex;
  if (cc.map.has('no-store') || listMembers(response.headers, 'vary').includes('*')) return false;
  if (parseCacheControl(request.headers).map.has('no-store')) return false;
  if (request.method === 'GET' || request.method === 'HEAD') return true;
  if (request.method !== 'POST') return false;
  const location = headerValue(response.headers, 'content-location');
  if (location === null) return false;
  try {
    return new URL(location, request.url).href === request.url && lifetime(cc, ex, true) !== null;
  } catch {
    return false;
  }
}

/** Can a cache keep serving this failure after the origin has recovered? */
export const cachingCheck: Check = {
  name: 'caching',
  ids: ['error-cacheable', 'error-cacheable-private', 'error-cache-heuristic', 'error-cache-unspecified', 'error-validator'],
  run({ exchange }): Finding[] {
    const { status, headers } = exchange.response;
    if (!isError(status)) return [];
    const cc = parseCacheControl(headers);
    if (!storable(exchange, cc)) return [];
    const out: Finding[] = [];
    // Unqualified no-cache: stored but never reused unvalidated (§5.2.2.4). A qualified one only covers its fields.
    const noCache = cc.map.get('no-cache')?.value == null && cc.map.has('no-cache');
    const priv = cc.map.get('private')?.value == null && cc.map.has('private');
    // Authorization keeps shared caches out unless public, s-maxage or must-revalidate (§3.5).
    const authorized =
      hasHeader(exchange.request.headers, 'authorization') &&
      !cc.map.has('public') &&
      !cc.map.has('s-maxage') &&
      !cc.map.has('must-revalidate');
    const sharedLife = priv || authorized ? null : lifetime(cc, exchange, true);
    const privateLife = lifetime(cc, exchange, false);
    const validators = ['etag', 'last-modified'].filter((n) => hasHeader(headers, n));
    if (!noCache) {
      if (sharedLife !== null && sharedLife.seconds > 0) {
        out.push(
          finding(
            'error-cacheable',
            `${status} response is fresh for ${sharedLife.seconds} s in shared caches (${sharedLife.source})`,
          ),
        );
      } else if (sharedLife === null && privateLife !== null && privateLife.seconds > 0) {
        out.push(
          finding(
            'error-cacheable-private',
            `${status} response is fresh for ${privateLife.seconds} s in browser caches (${privateLife.source})`,
          ),
        );
      } else if (sharedLife === null && privateLife === null && (HEURISTIC.has(status) || cc.map.has('public'))) {
        const why = cc.map.has('public') ? 'is marked public' : `is a ${status}, heuristically cacheable`;
        const lm = parseHttpDate(headerValue(headers, 'last-modified') ?? '');
        const date = parseHttpDate(headerValue(headers, 'date') ?? '') ?? Date.now();
        const guess = lm !== null && date > lm ? `; 10% of its Last-Modified age is ${Math.floor((date - lm) / 10_000)} s` : '';
        out.push(finding('error-cache-heuristic', `${status} response ${why} and has no explicit freshness${guess}`));
      } else if (sharedLife === null && privateLife === null && !priv) {
        out.push(
          finding(
            'error-cache-unspecified',
            `${status} response says nothing about caching: no RFC 9111 cache stores it, but CDN negative caching will`,
          ),
        );
      }
    }
    if (validators.length > 0) {
      out.push(
        finding(
          'error-validator',
          `${status} response carries ${validators.map((v) => (v === 'etag' ? 'ETag' : 'Last-Modified')).join(' and ')}`,
        ),
      );
    }
    return out;
  },
};
