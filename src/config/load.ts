import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Node as YamlNode } from 'yaml';
import { closest } from 'fastest-levenshtein';
import { FaultlineError } from '../errors.js';
import { parseDuration, parseProbability, parseSize } from '../scenario/units.js';
import { SETTINGS, SETTINGS_BY_KEY, type SettingSpec } from './spec.js';
import type { Settings, UpstreamHttp2 } from './settings.js';
import { toBoolean, toEnum, toHostPort, toInteger, toUpstreamUrl } from './values.js';

/** A raw value as it arrives: a flag's text, an env var, or a scalar/list from the config file. */
export type RawValue = string | boolean | readonly string[];

export interface SettingSources {
  /** Values given on the command line, by setting key. */
  flags: ReadonlyMap<string, RawValue>;
  env: NodeJS.ProcessEnv;
  /** --config / FAULTLINE_CONFIG; null: none. */
  configFile: string | null;
}

interface Located {
  value: RawValue;
  where: string;
}

/**
 * Merge the sources (flag > env > file > default), convert and validate every setting once, and
 * return them frozen. Every problem is a FAULTLINE_CONFIG_INVALID error naming the source.
 */
export function loadSettings(sources: SettingSources): Settings {
  const file = sources.configFile === null ? new Map<string, Located>() : readConfigFile(sources.configFile);
  const pick = (spec: SettingSpec): Located | null => {
    const flag = sources.flags.get(spec.key);
    if (flag !== undefined) return { value: flag, where: `--${spec.flag}` };
    const env = sources.env[spec.env];
    if (env !== undefined && env !== '') return { value: env, where: spec.env };
    const fromFile = file.get(spec.key);
    if (fromFile !== undefined) return fromFile;
    return spec.default === null ? null : { value: spec.default, where: 'default' };
  };
  const get = <T>(key: string, convert: (raw: RawValue, spec: SettingSpec) => T, fallback: T): T => {
    const spec = SETTINGS_BY_KEY.get(key);
    if (spec === undefined) throw new Error(`unknown setting ${key}`);
    const located = pick(spec);
    if (located === null) return fallback;
    try {
      return convert(located.value, spec);
    } catch (err) {
      throw new FaultlineError('FAULTLINE_CONFIG_INVALID', `${located.where}: ${(err as Error).message}`, { cause: err });
    }
  };
  const text = (raw: RawValue): string => {
    if (typeof raw === 'string') return raw;
    throw new Error(`expected a single value, got ${JSON.stringify(raw)}`);
  };
  const list = (raw: RawValue): string[] => {
    if (typeof raw === 'string')
      return raw
        .split(',')
        .map((p) => p.trim())
        .filter((p) => p !== '');
    if (typeof raw === 'boolean') throw new Error('expected a path or a list of paths');
    return [...raw];
  };
  const bool = (raw: RawValue): boolean => {
    if (typeof raw === 'boolean' || typeof raw === 'string') return toBoolean(raw);
    throw new Error('expected true or false');
  };
  const enumOf = (raw: RawValue, spec: SettingSpec): string => toEnum(text(raw), spec.values ?? []);

  const upstream = get('upstream', (r) => toUpstreamUrl(text(r)), null);
  const settings: Settings = {
    upstream: upstream?.url ?? null,
    upstreamHttp2: upstreamHttp2(upstream, get('upstreamHttp2', bool, false)),
    listen: get('listen', (r) => toHostPort(text(r)), { host: '0.0.0.0', port: 8080 }),
    admin: get('admin', (r) => toHostPort(text(r)), { host: '127.0.0.1', port: 8081 }),
    scenarios: get('scenarios', list, []),
    logLevel: get('logLevel', enumOf, 'info'),
    logFormat: get('logFormat', enumOf, 'json') as Settings['logFormat'],
    accessLog: get('accessLog', bool, false),
    upstreamTimeoutMs: get('upstreamTimeout', (r) => parseDuration(text(r)), 30_000),
    upstreamInsecure: get('upstreamInsecure', bool, false),
    shutdownGraceMs: get('shutdownGrace', (r) => parseDuration(text(r)), 10_000),
    marker: get('marker', bool, true),
    drainLimit: get('drainLimit', (r) => parseSize(text(r)), 1 << 20),
    adminToken: get('adminToken', text, null),
    store: get('store', (r) => validateStore(text(r)), 'memory'),
    storeFailure: get('storeFailure', enumOf, 'fail-open') as Settings['storeFailure'],
    storeBudgetMs: get('storeBudget', (r) => parseDuration(text(r)), 50),
    maxTrackedObjects: get('maxTrackedObjects', (r) => toInteger(text(r)), 100_000),
    maxSessions: get('maxSessions', (r) => toInteger(text(r)), 1000),
    inspectAnyHost: get('inspectAnyHost', bool, false),
    tlsCert: get('tlsCert', text, null),
    tlsKey: get('tlsKey', text, null),
    tlsSelfSigned: get('tlsSelfSigned', bool, false),
    tlsHosts: get('tlsHosts', list, ['localhost', '127.0.0.1', '::1']),
    tlsFingerprintFile: get('tlsFingerprintFile', text, null),
    dryRun: get('dryRun', bool, false),
    requireHeartbeatMs: get('requireHeartbeat', (r) => positive(parseDuration(text(r)), 'a duration above 0 like 60s'), null),
    maxInjectedShare: get('maxInjectedShare', (r) => positive(parseProbability(text(r)), 'a share above 0 like 10%'), null),
    headersTimeoutMs: get('headersTimeout', (r) => parseDuration(text(r)), 30_000),
    keepAliveTimeoutMs: get('keepAliveTimeout', (r) => parseDuration(text(r)), 5_000),
    maxConnections: get('maxConnections', (r) => toInteger(text(r)), 0),
    maxHeaderSize: get('maxHeaderSize', (r) => positiveSize(text(r)), 16 * 1024),
    maxUriLength: get('maxUriLength', (r) => positiveSize(text(r)), 8 * 1024),
  };
  checkTls(settings);
  return Object.freeze(settings);
}

/** `h2c://` speaks HTTP/2 always; `--upstream-http2` offers it by ALPN, so it needs TLS. */
function upstreamHttp2(upstream: { url: URL; h2c: boolean } | null, offer: boolean): UpstreamHttp2 {
  if (upstream?.h2c === true) return 'h2c';
  if (!offer || upstream === null) return 'off';
  if (upstream.url.protocol === 'https:') return 'alpn';
  throw new FaultlineError(
    'FAULTLINE_CONFIG_INVALID',
    `--upstream-http2 needs an https:// upstream (HTTP/2 is offered in the TLS handshake); for HTTP/2 over plain TCP write h2c://${upstream.url.host}`,
  );
}

function checkTls(s: Settings): void {
  const fail = (message: string): never => {
    throw new FaultlineError('FAULTLINE_CONFIG_INVALID', message);
  };
  if ((s.tlsCert === null) !== (s.tlsKey === null)) fail('--tls-cert and --tls-key go together: give both, or neither');
  if (s.tlsSelfSigned && s.tlsCert !== null) fail('--tls-self-signed and --tls-cert exclude each other: pick one');
  if (s.tlsSelfSigned && s.tlsHosts.length === 0) fail('--tls-hosts is empty: name at least one host for the certificate');
}

function positive(n: number, expected: string): number {
  if (n <= 0) throw new Error(`expected ${expected}`);
  return n;
}

/** A size limit of at least 1 KiB: below that no ordinary request fits. */
function positiveSize(raw: string): number {
  const n = parseSize(raw);
  if (n < 1024) throw new Error(`"${raw}" is too small (at least 1KiB)`);
  return n;
}

function validateStore(raw: string): string {
  if (raw === 'memory') return raw;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`"${raw}" is not memory or a redis://HOST:PORT/DB URL`);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') throw new Error(`"${raw}" is not memory or a redis:// URL`);
  return raw;
}

/** Read the YAML config file: a flat map of setting keys. Errors carry file:line:column. */
function readConfigFile(path: string): Map<string, Located> {
  let source: string;
  try {
    source = readFileSync(path, 'utf8');
  } catch (err) {
    throw new FaultlineError(
      'FAULTLINE_CONFIG_INVALID',
      `${path}: cannot read config file (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
      { cause: err },
    );
  }
  // Loaded here, synchronously, only when a config file is given: the YAML parser costs memory a
  // proxy configured by flags and env never needs.
  const { LineCounter, parseDocument, isMap, isScalar, isSeq } = createRequire(import.meta.url)('yaml') as typeof import('yaml');
  const lines = new LineCounter();
  const doc = parseDocument(source, { lineCounter: lines, prettyErrors: false });
  const at = (node: YamlNode | null | undefined, offset?: number): string => {
    const pos = lines.linePos(offset ?? node?.range?.[0] ?? 0);
    return `${path}:${pos.line}:${pos.col}`;
  };
  const first = doc.errors[0];
  if (first !== undefined) {
    throw new FaultlineError('FAULTLINE_CONFIG_INVALID', `${at(null, first.pos[0])}: ${first.message.split('\n')[0]}`);
  }
  const out = new Map<string, Located>();
  if (doc.contents === null) return out;
  if (!isMap(doc.contents))
    throw new FaultlineError('FAULTLINE_CONFIG_INVALID', `${at(doc.contents)}: the config file must be a map of settings`);
  for (const pair of doc.contents.items) {
    const keyNode = pair.key as YamlNode;
    const key = isScalar(keyNode) ? String(keyNode.value) : '';
    if (!SETTINGS_BY_KEY.has(key)) {
      const hint = closest(
        key,
        SETTINGS.map((x) => x.key),
      );
      throw new FaultlineError('FAULTLINE_CONFIG_INVALID', `${at(keyNode)}: unknown setting "${key}" (did you mean "${hint}"?)`);
    }
    const valueNode = pair.value as YamlNode | null;
    if (valueNode === null || (isScalar(valueNode) && valueNode.value === null)) continue;
    let value: RawValue;
    if (isSeq(valueNode)) value = valueNode.items.map((i) => String(isScalar(i) ? i.value : ''));
    else if (isScalar(valueNode)) value = typeof valueNode.value === 'boolean' ? valueNode.value : String(valueNode.value);
    else throw new FaultlineError('FAULTLINE_CONFIG_INVALID', `${at(valueNode)}: ${key}: expected a value, not a map`);
    out.set(key, { value, where: at(valueNode) + `: ${key}` });
  }
  return out;
}
