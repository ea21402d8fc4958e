import { createHash } from 'node:crypto';

/*
 * Reading who a request is from its credentials, WITHOUT verifying them: faultline is a test proxy
 * in front of a service that does the verifying. A forged token can therefore pick any tenant's
 * quota; that is the price of not holding the service's keys (docs/quotas.md says so).
 */

/** Headers whose values are credentials: a key taken from them is shown only as a hash. */
export const SECRET_HEADERS: ReadonlySet<string> = new Set(['authorization', 'proxy-authorization', 'cookie']);

/**
 * A short stable name for a credential: `sha256:` and the first 12 hex digits of its SHA-256.
 * The same credential gives the same name in every replica and after a restart (a Redis store is
 * shared), and the credential cannot be read back from it (a weak password can still be guessed
 * offline from the hash, as from any unsalted hash: keep such keys out of public dashboards).
 */
export function credentialHash(value: string): string {
  return `sha256:${createHash('sha256').update(value).digest('hex').slice(0, 12)}`;
}

/** The largest token decoded (bigger ones give no key rather than cost a large parse). */
const MAX_TOKEN = 16 * 1024;

/** The claims of a JWT (the middle part, base64url JSON), or null when it is not one. */
export function jwtClaims(token: string): Record<string, unknown> | null {
  if (token.length > MAX_TOKEN) return null;
  const first = token.indexOf('.');
  const second = token.indexOf('.', first + 1);
  if (first <= 0 || second < 0 || token.indexOf('.', second + 1) >= 0) return null;
  try {
    const claims: unknown = JSON.parse(Buffer.from(token.slice(first + 1, second), 'base64url').toString('utf8'));
    return typeof claims === 'object' && claims !== null && !Array.isArray(claims) ? (claims as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** A claim as a key: strings and numbers as written; anything else is no key. */
export function claimText(claims: Record<string, unknown> | null, claim: string): string | null {
  const v = claims === null ? undefined : claims[claim];
  if (typeof v === 'string') return v === '' ? null : v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return null;
}

const AWS_V4 = /^AWS4-HMAC-SHA256\s+Credential=([^/,\s]+)\//;
const AWS_V2 = /^AWS\s+([^:\s]+):/;

/**
 * The user an `Authorization` value names: the user of `Basic` credentials, the `sub` of a
 * `Bearer` JWT, or the access key id of an AWS signature (an identifier, not the secret).
 */
export function userOf(authorization: string): string | null {
  const space = authorization.indexOf(' ');
  const scheme = space < 0 ? authorization : authorization.slice(0, space);
  const rest = space < 0 ? '' : authorization.slice(space + 1).trim();
  const lower = scheme.toLowerCase();
  if (lower === 'basic') {
    const decoded = Buffer.from(rest, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon > 0 ? decoded.slice(0, colon) : null;
  }
  if (lower === 'bearer') return claimText(jwtClaims(rest), 'sub');
  const aws = AWS_V4.exec(authorization) ?? AWS_V2.exec(authorization);
  return aws === null ? null : (aws[1] ?? null);
}

/** The token of a `Bearer` authorization value, or null. */
export function bearerToken(authorization: string): string | null {
  return /^bearer\s/i.test(authorization) ? authorization.slice(7).trim() : null;
}
