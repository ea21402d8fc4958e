/**
 * Fields relayed from HTTP/1.1 to an HTTP/2 peer as Node's HTTP/2 API takes them: an object of
 * lower-case names, a repeated field as a list so each value stays its own field. Two kinds of
 * field HTTP/2 cannot carry as an HTTP/1.1 message may hold them are settled here, since Node
 * throws on them (from a callback of its own for trailers, which nothing can catch):
 * connection-specific fields (RFC 9113 §8.2.2) are dropped, and a field Node sends at most once
 * keeps its first value.
 */
export function h2Fields(pairs: readonly (readonly [string, string])[]): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of pairs) {
    const key = name.toLowerCase();
    if (CONNECTION_SPECIFIC.has(key) && !(key === 'te' && value.trim().toLowerCase() === 'trailers')) continue;
    const seen = out[key];
    if (seen === undefined) out[key] = value;
    else if (!SINGLE_VALUE.has(key)) out[key] = typeof seen === 'string' ? [seen, value] : [...seen, value];
  }
  return out;
}

const CONNECTION_SPECIFIC = new Set([
  'connection',
  'http2-settings',
  'keep-alive',
  'proxy-connection',
  'te',
  'transfer-encoding',
  'upgrade',
]);

/** The fields Node's HTTP/2 refuses to send twice (ERR_HTTP2_HEADER_SINGLE_VALUE), as of Node 20 and 22. */
const SINGLE_VALUE = new Set([
  'access-control-allow-credentials',
  'access-control-max-age',
  'access-control-request-method',
  'age',
  'authorization',
  'content-encoding',
  'content-language',
  'content-length',
  'content-location',
  'content-md5',
  'content-range',
  'content-type',
  'date',
  'dnt',
  'etag',
  'expires',
  'from',
  'host',
  'if-match',
  'if-modified-since',
  'if-none-match',
  'if-range',
  'if-unmodified-since',
  'last-modified',
  'location',
  'max-forwards',
  'proxy-authorization',
  'range',
  'referer',
  'retry-after',
  'tk',
  'upgrade-insecure-requests',
  'user-agent',
  'x-content-type-options',
]);
