import { headerValue } from './headers.js';
import type { Exchange, HeaderPair } from './types.js';

/** RFC 9110 §15.4: the 3xx codes that carry a Location to follow. */
export const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

/** One request of a chain, before the headers node would add. */
export interface Hop {
  url: URL;
  method: string;
  headers: HeaderPair[];
  body: Buffer | null;
}

/** Describe the content, so they go when the content does. */
const CONTENT_HEADERS = new Set(['content-type', 'content-length', 'content-encoding', 'content-language', 'transfer-encoding']);
/** Credentials (as browsers and curl do) and a hand-set Host do not go to another origin. */
const CROSS_ORIGIN_DROPPED = new Set(['authorization', 'cookie', 'proxy-authorization', 'host']);

/**
 * The request a client makes for a redirect, or null when `exchange` is not one to follow.
 * 303 turns into GET (RFC 9110 §15.4.4); 301/302 turn POST into GET as user agents do
 * (§15.4.2, §15.4.3 notes); 307/308 keep method and body (§15.4.8, §15.4.9).
 */
export function nextHop(exchange: Exchange, hop: Hop): Hop | null {
  const { status, headers } = exchange.response;
  const location = headerValue(headers, 'location');
  if (!REDIRECT_STATUSES.has(status) || location === null) return null;
  let url: URL;
  try {
    url = new URL(location.trim(), hop.url); // relative references resolve against the request (§10.2.2)
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  url.hash = '';
  const toGet = (status === 303 && hop.method !== 'HEAD') || ((status === 301 || status === 302) && hop.method === 'POST');
  const crossOrigin = url.origin !== hop.url.origin;
  const keep = (name: string): boolean =>
    !(toGet && CONTENT_HEADERS.has(name)) && !(crossOrigin && CROSS_ORIGIN_DROPPED.has(name));
  return {
    url,
    method: toGet ? 'GET' : hop.method,
    headers: hop.headers.filter(([name]) => keep(name.toLowerCase())),
    body: toGet ? null : hop.body,
  };
}
