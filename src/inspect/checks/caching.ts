import { finding } from '../catalogue.js';
import { cacheDirectives, headerValue } from '../headers.js';
import type { Finding, HeaderPair } from '../types.js';
import { isError, type Check } from './check.js';

const DELTA_SECONDS = /^\d+$/;

/**
 * Explicit freshness lifetime in seconds (RFC 9111 §4.2.1: s-maxage, then max-age, then
 * Expires minus Date), or null when the response states none. An Expires that does not parse
 * means "already expired" (RFC 9111 §5.3).
 */
function explicitLifetime(
  cc: Map<string, string | null>,
  headers: readonly HeaderPair[],
): { seconds: number; source: string } | null {
  for (const name of ['s-maxage', 'max-age']) {
    const v = cc.get(name);
    if (v !== undefined && v !== null && DELTA_SECONDS.test(v)) return { seconds: Number(v), source: `${name}=${v}` };
  }
  const expires = headerValue(headers, 'expires');
  if (expires === null) return null;
  const at = Date.parse(expires);
  if (Number.isNaN(at)) return { seconds: 0, source: `Expires: ${expires}` };
  const date = Date.parse(headerValue(headers, 'date') ?? '');
  const base = Number.isNaN(date) ? Date.now() : date;
  return { seconds: Math.floor((at - base) / 1000), source: `Expires: ${expires}` };
}

/** Can a cache keep serving this failure after the origin has recovered? */
export const cachingCheck: Check = {
  name: 'caching',
  ids: ['error-cacheable', 'error-cache-unspecified'],
  run({ exchange: { response } }): Finding[] {
    const { status, headers } = response;
    if (!isError(status)) return [];
    const cc = cacheDirectives(headers);
    // no-store: never stored (§5.2.2.5); private: no shared cache (§5.2.2.7); no-cache: never
    // reused without revalidation (§5.2.2.4).
    if (cc.has('no-store') || cc.has('private') || cc.has('no-cache')) return [];
    const life = explicitLifetime(cc, headers);
    if (life === null) {
      const cacheControl = headerValue(headers, 'cache-control');
      const said = cacheControl === null ? 'no Cache-Control' : `Cache-Control: ${cacheControl}`;
      return [finding('error-cache-unspecified', `${status} response has ${said} and nothing that forbids storing it`)];
    }
    if (life.seconds <= 0) return [];
    return [finding('error-cacheable', `${status} response is fresh for ${life.seconds} s (${life.source})`)];
  },
};
