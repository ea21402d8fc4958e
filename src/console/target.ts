import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import { formatHostPort, type HostPort } from '../config/settings.js';

/** Where the console's inspector may send requests. */
export interface TargetPolicy {
  /** `--inspect-any-host`: no restriction. */
  readonly anyHost: boolean;
  readonly upstream: URL;
  /** The proxy listener, once it listens. */
  proxy(): HostPort | null;
}

/** The URL to request: the one given, or the same one pinned to the address that was checked. */
export type TargetDecision = { ok: true; url: URL; connectTo: string | null } | { ok: false; reason: string };

type Resolve = (host: string) => Promise<string[]>;

const resolveAll: Resolve = async (host) => (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);

/**
 * Decide whether the inspector may request `url`. Without `--inspect-any-host` it may reach the
 * configured upstream (its origin exactly as configured, or, over http, any name resolving to the
 * same address and port) and faultline's own proxy listener, nothing else: not the admin listener,
 * not another port, not another host. The name is resolved here and the request is then pinned to
 * the address that passed (the Host header keeps the name), so a name that resolves differently a
 * moment later (DNS rebinding) still reaches only what was checked. Redirects are not followed.
 */
export async function decideTarget(url: URL, policy: TargetPolicy, resolve: Resolve = resolveAll): Promise<TargetDecision> {
  if (policy.anyHost) return { ok: true, url, connectTo: null };
  const up = policy.upstream;
  if (url.origin === up.origin) return { ok: true, url, connectTo: null };
  const allowedText = allowedTargets(policy).join(' or ');
  const refuse = (why: string): TargetDecision => ({
    ok: false,
    reason: `${why}: the inspector may only target ${allowedText} (start faultline with --inspect-any-host to lift this)`,
  });
  if (url.protocol !== 'http:') return refuse(`${url.origin} is not the upstream`);
  const port = portOf(url);
  const candidates: Array<() => Promise<string[]>> = [];
  if (up.protocol === 'http:' && portOf(up) === port) candidates.push(() => resolve(bare(up.hostname)));
  const proxy = policy.proxy();
  if (proxy !== null && proxy.port === port) candidates.push(async () => listenerAddresses(proxy.host, resolve));
  if (candidates.length === 0) return refuse(`port ${port} is neither the upstream's nor faultline's`);
  let addresses: string[];
  try {
    addresses = (await resolve(bare(url.hostname))).map(normalize);
  } catch {
    return refuse(`${url.hostname} does not resolve`);
  }
  const allowed = new Set<string>();
  for (const candidate of candidates) for (const a of await candidate().catch(() => [])) allowed.add(normalize(a));
  const pick = addresses.find((a) => allowed.has(a));
  if (pick === undefined) return refuse(`${url.host} (${addresses.join(', ')}) is neither the upstream nor faultline`);
  // An address literal needs no pinning: there is nothing to resolve again.
  if (normalize(bare(url.hostname)) === pick) return { ok: true, url, connectTo: null };
  const pinned = new URL(url.href);
  pinned.hostname = isIP(pick) === 6 ? `[${pick}]` : pick;
  return { ok: true, url: pinned, connectTo: formatHostPort({ host: pick, port }) };
}

/** What the UI and the refusal say the inspector may reach. */
export function allowedTargets(policy: TargetPolicy): string[] {
  const proxy = policy.proxy();
  const own =
    proxy === null
      ? []
      : [
          `http://${formatHostPort({ host: isUnspecified(proxy.host) ? 'localhost' : proxy.host, port: proxy.port })} (faultline)`,
        ];
  return [`${policy.upstream.origin} (the upstream)`, ...own];
}

function portOf(url: URL): number {
  return url.port !== '' ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
}

/** `[::1]` as a URL writes it, `::1` as the resolver wants it. */
function bare(hostname: string): string {
  return hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
}

/** `::ffff:127.0.0.1` is 127.0.0.1; IPv6 compares lower-case. */
function normalize(address: string): string {
  const a = address.toLowerCase();
  return a.startsWith('::ffff:') && isIP(a.slice(7)) === 4 ? a.slice(7) : a;
}

function isUnspecified(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '';
}

/** A listener on 0.0.0.0 (or ::) answers on every local address; otherwise on the one it names. */
async function listenerAddresses(host: string, resolve: Resolve): Promise<string[]> {
  if (!isUnspecified(host)) return resolve(host);
  const v6 = host === '::';
  const out: string[] = [];
  for (const list of Object.values(networkInterfaces())) {
    for (const info of list ?? []) if (info.family === 'IPv4' || v6) out.push(info.address);
  }
  return out;
}
