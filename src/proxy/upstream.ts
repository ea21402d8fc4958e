import type { Pool } from 'undici';
import PoolClass from 'undici/lib/dispatcher/pool.js';
import { BodylessUpstream } from './bodyless-upstream.js';
import { locationBase, type LocationBase } from './location.js';

/** The one service behind the proxy, resolved once at start-up, with its connection pool. */
export interface Upstream {
  readonly url: URL;
  /** Keep-alive connections to the upstream (undici). */
  readonly pool: Pool;
  /** The body-less requests undici would frame differently go through node:http (bodyless-upstream.ts). */
  readonly bodyless: BodylessUpstream;
  /** The `Host` header sent upstream (like nginx's default `$proxy_host`). */
  readonly hostHeader: string;
  /** Path prefix of the upstream URL without its trailing slash, '' for none. */
  readonly basePath: string;
  /** The upstream as its own Location headers name it (rewritten to the client's origin). */
  readonly locationBase: LocationBase;
  close(): Promise<void>;
}

const KEEP_ALIVE_MS = 4_000;

export function createUpstream(url: URL, options: { timeoutMs: number; insecure: boolean }): Upstream {
  const bodyless = new BodylessUpstream(url, { ...options, keepAliveMs: KEEP_ALIVE_MS });
  const pool = new PoolClass(url.origin, {
    // One request per connection at a time (no pipelining to the upstream), as many connections as
    // the load needs, kept alive between requests.
    pipelining: 1,
    keepAliveTimeout: KEEP_ALIVE_MS,
    // No answer head, or no body byte, within --upstream-timeout: 504 (or a cut connection).
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
    connect: url.protocol === 'https:' ? { rejectUnauthorized: !options.insecure } : {},
  });
  return {
    url,
    pool,
    bodyless,
    hostHeader: url.host,
    basePath: url.pathname.replace(/\/+$/, ''),
    close: () => {
      bodyless.close();
      return pool.destroy();
    },
    locationBase: locationBase(url),
  };
}
