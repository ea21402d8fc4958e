import type { FindingId } from '../catalogue.js';
import type { CorsProbe, Exchange, Finding } from '../types.js';

/** Everything a check may look at. Checks are pure: same input, same findings. */
export interface CheckInput {
  /** The final exchange of the chain: the one the findings describe. */
  exchange: Exchange;
  chain: readonly Exchange[];
  corsProbe: CorsProbe | null;
  /** Redirects were followed (--follow). */
  followed: boolean;
  /** Following stopped at the redirect limit. */
  redirectLimitReached: boolean;
}

/** A group of related checks and the ids it may report (the registry checks ids against the catalogue). */
export interface Check {
  readonly name: string;
  readonly ids: readonly FindingId[];
  run(input: CheckInput): Finding[];
}

/** 4xx and 5xx (RFC 9110 §15.5, §15.6): the responses whose error semantics are inspected. */
export function isError(status: number): boolean {
  return status >= 400 && status < 600;
}

/** `HEAD`, 1xx, 204 and 304 responses end at their head (RFC 9112 §6.3 rules 1 and 2). */
export function isBodiless(method: string, status: number): boolean {
  return method === 'HEAD' || status === 204 || status === 304 || (status >= 100 && status < 200);
}

/** Up to `radius` characters either side of a match, for a finding's evidence. */
export function around(text: string, index: number, length: number, radius = 40): string {
  const start = Math.max(0, index - radius);
  const end = Math.min(text.length, index + length + radius);
  return `${start > 0 ? '…' : ''}${text.slice(start, end)}${end < text.length ? '…' : ''}`;
}

/**
 * The body text with what the client already knows removed: the authority it connected to and
 * the path it asked for (problem+json echoes it as `instance`). Echoing those back is neither a
 * leak nor a description of the error. Only whole occurrences go: `/orders` inside
 * `/app/dist/orders.js` stays.
 */
export function bodyWithoutEcho(exchange: Exchange): string {
  const url = new URL(exchange.request.url);
  let text = exchange.response.text;
  for (const known of [url.origin, url.host, url.pathname]) {
    if (known.length <= 1 || !text.includes(known)) continue;
    const escaped = known.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    text = text.replace(new RegExp(`(?<![\\w.:/-])${escaped}(?![\\w-]|[.:]\\w)`, 'g'), ' ');
  }
  return text;
}
