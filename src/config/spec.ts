/**
 * Every setting faultline has, in one table: its config-file key, command-line flag, environment
 * variable, kind and default. The loader, `--help`, config/faultline.yaml and the docs/configuration.md all follow
 * this table (a test keeps them in step).
 */
export type SettingKind =
  'string' | 'url' | 'hostport' | 'list' | 'boolean' | 'duration' | 'size' | 'enum' | 'integer' | 'percent';

export interface SettingSpec {
  /** Key in the config file, and the name in code. */
  readonly key: string;
  readonly flag: string;
  readonly env: string;
  readonly kind: SettingKind;
  readonly default: string | boolean | null;
  readonly values?: readonly string[];
  readonly help: string;
}

function s(
  key: string,
  flag: string,
  kind: SettingKind,
  dflt: string | boolean | null,
  help: string,
  values?: readonly string[],
): SettingSpec {
  const env = 'FAULTLINE_' + key.replace(/[A-Z]/g, (c) => '_' + c).toUpperCase();
  return values === undefined
    ? { key, flag, env, kind, default: dflt, help }
    : { key, flag, env, kind, default: dflt, help, values };
}

export const SETTINGS: readonly SettingSpec[] = [
  s(
    'upstream',
    'upstream',
    'url',
    null,
    'URL of the service behind faultline (http, https, or h2c for HTTP/2 without TLS); required for serve',
  ),
  s('listen', 'listen', 'hostport', '0.0.0.0:8080', 'address the proxy listens on'),
  s('admin', 'admin', 'hostport', '127.0.0.1:8081', 'address of the admin listener (health, metrics, API, console)'),
  s('scenarios', 'scenarios', 'list', null, 'scenario files or directories (repeat the flag, or comma-separate in env)'),
  s('logLevel', 'log-level', 'enum', 'info', 'log level', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
  s('logFormat', 'log-format', 'enum', 'json', 'json lines, or pretty for humans', ['json', 'pretty']),
  s('accessLog', 'access-log', 'boolean', false, 'log one line per request'),
  s('upstreamTimeout', 'upstream-timeout', 'duration', '30s', 'idle time after which an upstream request fails with 504'),
  s(
    'upstreamInsecure',
    'upstream-insecure',
    'boolean',
    false,
    'accept self-signed/invalid TLS certificates from an https upstream',
  ),
  s(
    'upstreamHttp2',
    'upstream-http2',
    'boolean',
    false,
    'offer HTTP/2 (ALPN h2) to an https upstream, HTTP/1.1 if it declines (h2c:// upstreams always speak HTTP/2)',
  ),
  s('shutdownGrace', 'shutdown-grace', 'duration', '10s', 'how long in-flight requests may finish after SIGTERM/SIGINT'),
  s('marker', 'marker', 'boolean', true, 'add x-faultline-fault: <rule> to injected responses'),
  s(
    'drainLimit',
    'drain-limit',
    'size',
    '1MiB',
    'request bodies up to this size are read and discarded after an early fault, so the connection can be reused',
  ),
  s(
    'adminToken',
    'admin-token',
    'string',
    null,
    'bearer token required by the admin API (every route but /healthz, /readyz, /metrics)',
  ),
  s('store', 'store', 'string', 'memory', 'where quota state lives: memory, or redis://HOST:PORT/DB'),
  s('storeFailure', 'store-failure', 'enum', 'fail-open', 'what to do when the store is unavailable', [
    'fail-open',
    'fail-closed',
  ]),
  s('storeBudget', 'store-budget', 'duration', '50ms', 'longest a request waits for the store'),
  s(
    'maxTrackedObjects',
    'max-tracked-objects',
    'integer',
    '100000',
    'bound on objects tracked by track: objects quotas (oldest evicted first)',
  ),
  s(
    'maxSessions',
    'max-sessions',
    'integer',
    '1000',
    'most test sessions (POST /sessions) alive at once; creating one more answers 429',
  ),
  s(
    'headersTimeout',
    'headers-timeout',
    'duration',
    '30s',
    'time a client has to send a complete request head (0: no limit); then the connection is closed',
  ),
  s('keepAliveTimeout', 'keep-alive-timeout', 'duration', '5s', 'idle time allowed between requests on a client connection'),
  s(
    'maxConnections',
    'max-connections',
    'integer',
    '0',
    'open client connections accepted at once (0: no limit); beyond it new connections are closed at once',
  ),
  s('maxHeaderSize', 'max-header-size', 'size', '16KiB', 'largest request head (request line and headers); beyond it 431'),
  s('maxUriLength', 'max-uri-length', 'size', '8KiB', 'longest request target; beyond it 414'),
  s(
    'inspectAnyHost',
    'inspect-any-host',
    'boolean',
    false,
    'let the console inspector target any host, not just the upstream and faultline',
  ),
  s(
    'tlsCert',
    'tls-cert',
    'string',
    null,
    'serve TLS on the proxy listener with this PEM certificate (reloaded when the file changes)',
  ),
  s('tlsKey', 'tls-key', 'string', null, 'the PEM private key for --tls-cert'),
  s('tlsSelfSigned', 'tls-self-signed', 'boolean', false, 'serve TLS with a certificate made at start for --tls-hosts'),
  s('tlsHosts', 'tls-hosts', 'list', 'localhost,127.0.0.1,::1', 'host names and addresses the self-signed certificate names'),
  s(
    'tlsFingerprintFile',
    'tls-fingerprint-file',
    'string',
    null,
    "write the served certificate's SHA-256 fingerprint to this file",
  ),
  s(
    'dryRun',
    'dry-run',
    'boolean',
    false,
    'match and decide as usual but inject nothing; count and log what would have been injected',
  ),
  s(
    'requireHeartbeat',
    'require-heartbeat',
    'duration',
    null,
    'inject only while POST /heartbeat (faultline heartbeat) comes at least this often, e.g. 60s (dead-man switch)',
  ),
  s(
    'maxInjectedShare',
    'max-injected-share',
    'percent',
    null,
    'largest share of all proxied traffic that may get an injected fault over a sliding minute, e.g. 10%',
  ),
];

export const SETTINGS_BY_FLAG: ReadonlyMap<string, SettingSpec> = new Map(SETTINGS.map((x) => [x.flag, x]));
export const SETTINGS_BY_KEY: ReadonlyMap<string, SettingSpec> = new Map(SETTINGS.map((x) => [x.key, x]));
