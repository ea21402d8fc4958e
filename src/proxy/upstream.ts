import type { Pool } from 'undici';
import PoolClass from 'undici/lib/dispatcher/pool.js';
import type { UpstreamHttp2 } from '../config/settings.js';
import { H2Upstream, type UpstreamDispatcher } from './h2-upstream.js';
import { locationBase, type LocationBase } from './location.js';
import { NodeUpstream } from './node-upstream.js';

/** The one service behind the proxy, resolved once at start-up, with its connection pool. */
export interface Upstream {
  /** The upstream's http:// or https:// URL (an h2c:// upstream's http:// twin). */
  readonly url: URL;
  /** HTTP/1.1 only, HTTP/2 with prior knowledge (h2c), or HTTP/2 when TLS's ALPN picks it. */
  readonly http2: UpstreamHttp2;
  /** Keep-alive connections to the upstream: undici's Pool for HTTP/1.1, HTTP/2 sessions (h2-upstream.ts). */
  readonly pool: UpstreamDispatcher;
  /**
   * The HTTP/1.1 requests undici cannot carry exactly (a body-less one it would frame differently,
   * a chunked body with its trailers, `Expect: 100-continue`) go through node:http
   * (node-upstream.ts); null for an h2c upstream, where framing is the stream's.
   */
  readonly node: NodeUpstream | null;
  /** The `Host` header sent upstream (like nginx's default `$proxy_host`); `:authority` over HTTP/2. */
  readonly hostHeader: string;
  /** Path prefix of the upstream URL without its trailing slash, '' for none. */
  readonly basePath: string;
  /** The upstream as its own Location headers name it (rewritten to the client's origin). */
  readonly locationBase: LocationBase;
  close(): Promise<void>;
}

const KEEP_ALIVE_MS = 4_000;

/** Passed on to net.connect (undici's types do not list the stream option). */
const PLAIN_SOCKET = { highWaterMark: 128 * 1024 } as Pool.Options['connect'];

export function createUpstream(url: URL, options: { timeoutMs: number; insecure: boolean; http2: UpstreamHttp2 }): Upstream {
  const http1 = options.http2 === 'h2c' ? null : http1Pool(url, options);
  const node = options.http2 === 'h2c' ? null : new NodeUpstream(url, { ...options, keepAliveMs: KEEP_ALIVE_MS });
  const pool =
    options.http2 === 'off' && http1 !== null
      ? http1
      : new H2Upstream(url, {
          timeoutMs: options.timeoutMs,
          tls: url.protocol === 'https:' ? { rejectUnauthorized: !options.insecure } : null,
          http1,
        });
  return {
    url,
    http2: options.http2,
    pool,
    node,
    hostHeader: url.host,
    basePath: url.pathname.replace(/\/+$/, ''),
    close: () => {
      node?.close();
      return pool.destroy();
    },
    locationBase: locationBase(url),
  };
}

function http1Pool(url: URL, options: { timeoutMs: number; insecure: boolean }): UpstreamDispatcher {
  return new PoolClass(url.origin, {
    // One request per connection at a time (no pipelining to the upstream), as many connections as
    // the load needs, kept alive between requests.
    pipelining: 1,
    keepAliveTimeout: KEEP_ALIVE_MS,
    // No answer head, or no body byte, within --upstream-timeout: 504 (or a cut connection).
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
    // A connection (TCP and TLS handshake) that does not open within the upstream timeout (undici's
    // default is 10 s, whatever --upstream-timeout says): 502.
    connectTimeout: options.timeoutMs > 0 ? Math.min(options.timeoutMs, 10_000) : 10_000,
    // A plain socket's read buffer holds two 64 KiB reads before it stops reading: at undici's 64 KiB
    // a 64 KiB response body stopped and restarted reading (two epoll_ctl calls) on every request.
    // TLS sockets keep undici's 16 KiB (a TLS record is at most that).
    connect: url.protocol === 'https:' ? { rejectUnauthorized: !options.insecure } : PLAIN_SOCKET,
  });
}
