/**
 * faultline inspect: perform one HTTP exchange (or a redirect chain) and report what is wrong with
 * its error semantics.
 *
 *   InspectRequest ─► request.ts (own socket) ─► wire.ts (raw framing) ─► redirect.ts (--follow)
 *                                     │
 *                     cors-probe.ts ◄─┤ (error + Origin, no ACAO)
 *                                     ▼
 *       checks/*.ts (pure) ─► Finding[] (+ catalogue/: why, fix, refs) ─► format.ts / junit.ts
 */
import { FaultlineError } from '../errors.js';
import { runChecks } from './checks/index.js';
import { probeCors } from './cors-probe.js';
import { nextHop, type Hop } from './redirect.js';
import { performExchange, prepareRequest, type ExchangeOptions } from './request.js';
import type { Exchange, HeaderPair, InspectOptions, InspectRequest, InspectResult, Severity } from './types.js';

export { FINDINGS, FINDING_IDS, type FindingId } from './catalogue.js';
export { CHECKS } from './checks/index.js';
export { formatText, formatJson, toJson, type InspectJson } from './format.js';
export { formatJunit } from './junit.js';
export type * from './types.js';

const DEFAULTS = { follow: false, maxRedirects: 20, timeoutMs: 10_000, corsProbe: true, captureBytes: 64 * 1024 };
/** RFC 9110 §5.1 field-name and §9.1 method are tokens (§5.6.2). */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Field values may not contain CR, LF or NUL (RFC 9110 §5.5). */
const BAD_VALUE = /[\r\n\0]/;

function usage(message: string): FaultlineError {
  return new FaultlineError('FAULTLINE_USAGE', message);
}

/** Check the request once, up front, with messages that name the problem. */
function firstHop(req: InspectRequest): Hop {
  let url: URL;
  try {
    url = new URL(req.url);
  } catch {
    throw usage(`not an absolute URL: "${req.url}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw usage(`unsupported scheme "${url.protocol}" in ${req.url} (http: or https:)`);
  url.hash = '';
  const method = (req.method ?? (req.body === undefined ? 'GET' : 'POST')).toUpperCase();
  if (!TOKEN.test(method)) throw usage(`invalid method "${method}"`);
  const headers: HeaderPair[] = [];
  for (const [name, value] of req.headers ?? []) {
    if (!TOKEN.test(name)) throw usage(`invalid header name "${name}"`);
    if (BAD_VALUE.test(value)) throw usage(`header ${name} has a CR, LF or NUL in its value`);
    headers.push([name, value.trim()]);
  }
  const body = req.body === undefined ? null : Buffer.from(req.body);
  return { url, method, headers, body };
}

/**
 * Perform the request (and, with `follow`, its redirects), probe CORS when needed, and run every
 * check on the final response.
 *
 * @throws FaultlineError `FAULTLINE_USAGE` for a request that cannot be expressed (bad URL,
 *   method or header), `FAULTLINE_UPSTREAM_UNREACHABLE` / `_RESET` / `_TIMEOUT` when no response
 *   head arrived. A response that arrives broken is not thrown: it is what the checks are for.
 */
export async function inspect(req: InspectRequest, options: InspectOptions = {}): Promise<InspectResult> {
  const o = { ...DEFAULTS, ...stripUndefined(options) };
  if (!Number.isInteger(o.maxRedirects) || o.maxRedirects < 0)
    throw usage(`maxRedirects must be a whole number >= 0, not ${o.maxRedirects}`);
  if (!(o.timeoutMs > 0) || !(o.captureBytes > 0)) throw usage('timeoutMs and captureBytes must be positive');
  const exchangeOptions: ExchangeOptions = { timeoutMs: o.timeoutMs, captureBytes: o.captureBytes };
  let hop: Hop | null = firstHop(req);
  const exchanges: Exchange[] = [];
  let redirectLimitReached = false;
  let final: Exchange | undefined;
  while (hop !== null) {
    final = await performExchange(prepareRequest(hop.url, hop.method, hop.headers, hop.body), exchangeOptions);
    exchanges.push(final);
    hop = o.follow ? nextHop(final, hop) : null;
    if (hop !== null && exchanges.length > o.maxRedirects) {
      redirectLimitReached = true;
      break;
    }
  }
  if (final === undefined) throw new FaultlineError('FAULTLINE_INTERNAL', 'inspect made no request');
  const corsProbe = o.corsProbe ? await probeCors(final, exchangeOptions) : null;
  const findings = runChecks({ exchange: final, chain: exchanges, corsProbe, followed: o.follow, redirectLimitReached });
  const counts: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  for (const f of findings) counts[f.severity] += 1;
  return { exchanges, findings, corsProbe, counts };
}

function stripUndefined(o: InspectOptions): Partial<typeof DEFAULTS> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}
