/** The validated, frozen settings a running faultline uses. See spec.ts for the table. */
export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/**
 * How faultline speaks to the upstream: HTTP/1.1 only; HTTP/2 with prior knowledge over plain TCP
 * (`h2c://`); or HTTP/2 offered by ALPN on TLS, HTTP/1.1 if the upstream declines
 * (`https://` with `--upstream-http2`).
 */
export type UpstreamHttp2 = 'off' | 'h2c' | 'alpn';

export interface Settings {
  /** The upstream as an http:// or https:// URL (an h2c:// one is its http:// twin, see upstreamHttp2). */
  readonly upstream: URL | null;
  readonly upstreamHttp2: UpstreamHttp2;
  readonly listen: HostPort;
  readonly admin: HostPort;
  readonly scenarios: readonly string[];
  readonly logLevel: string;
  readonly logFormat: 'json' | 'pretty';
  readonly accessLog: boolean;
  readonly upstreamTimeoutMs: number;
  readonly upstreamInsecure: boolean;
  readonly shutdownGraceMs: number;
  readonly marker: boolean;
  readonly drainLimit: number;
  readonly adminToken: string | null;
  readonly store: string;
  readonly storeFailure: 'fail-open' | 'fail-closed';
  readonly storeBudgetMs: number;
  readonly maxTrackedObjects: number;
  readonly maxSessions: number;
  readonly inspectAnyHost: boolean;
  readonly tlsCert: string | null;
  readonly tlsKey: string | null;
  readonly tlsSelfSigned: boolean;
  readonly tlsHosts: readonly string[];
  readonly tlsFingerprintFile: string | null;
  readonly dryRun: boolean;
  /** Dead-man switch interval; null: no heartbeat required. */
  readonly requireHeartbeatMs: number | null;
  /** 0..1; null: no global share limit. */
  readonly maxInjectedShare: number | null;
  /** Listener limits (see listener-limits in docs/configuration.md). */
  readonly headersTimeoutMs: number;
  readonly keepAliveTimeoutMs: number;
  /** 0: no limit. */
  readonly maxConnections: number;
  readonly maxHeaderSize: number;
  readonly maxUriLength: number;
}

/** The upstream as the user wrote it (h2c:// for prior knowledge), for logs. */
export function upstreamLabel(url: URL, http2: UpstreamHttp2): string {
  return http2 === 'h2c' ? 'h2c:' + url.href.slice(url.protocol.length) : url.href;
}

export function formatHostPort(hp: HostPort): string {
  return hp.host.includes(':') ? `[${hp.host}]:${hp.port}` : `${hp.host}:${hp.port}`;
}
