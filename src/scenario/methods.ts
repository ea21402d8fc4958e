import { closest, distance } from 'fastest-levenshtein';

/*
 * Which request methods a rule may name. A method is only a token on the wire, so any token is
 * allowed, but a typo (`GETT`) would make a rule that never fires: names close to a known method
 * are refused with a "did you mean", other unknown tokens get a warning.
 */

/** The IANA HTTP Method Registry (RFC 9110 §16.1; WebDAV, DeltaV, CalDAV, ... included). */
const REGISTERED = [
  'ACL',
  'BASELINE-CONTROL',
  'BIND',
  'CHECKIN',
  'CHECKOUT',
  'CONNECT',
  'COPY',
  'DELETE',
  'GET',
  'HEAD',
  'LABEL',
  'LINK',
  'LOCK',
  'MERGE',
  'MKACTIVITY',
  'MKCALENDAR',
  'MKCOL',
  'MKREDIRECTREF',
  'MKWORKSPACE',
  'MOVE',
  'OPTIONS',
  'ORDERPATCH',
  'PATCH',
  'POST',
  'PRI',
  'PROPFIND',
  'PROPPATCH',
  'PUT',
  'QUERY',
  'REBIND',
  'REPORT',
  'SEARCH',
  'TRACE',
  'UNBIND',
  'UNCHECKOUT',
  'UNLINK',
  'UNLOCK',
  'UPDATE',
  'UPDATEREDIRECTREF',
  'VERSION-CONTROL',
] as const;

/** Unregistered methods in common use: cache invalidation (Varnish, Squid, nginx), UPnP/GENA events. */
const COMMON = ['PURGE', 'BAN', 'NOTIFY', 'SUBSCRIBE', 'UNSUBSCRIBE'] as const;

const KNOWN: ReadonlySet<string> = new Set([...REGISTERED, ...COMMON]);
const KNOWN_LIST: readonly string[] = [...KNOWN];

/** What a method name (already upper-cased) is: known, a likely typo of a known one, or some other token. */
export type MethodVerdict =
  { readonly kind: 'known' } | { readonly kind: 'typo'; readonly guess: string } | { readonly kind: 'unknown' };

export function judgeMethod(method: string): MethodVerdict {
  if (KNOWN.has(method)) return { kind: 'known' };
  const guess = closest(method, KNOWN_LIST);
  const d = distance(method, guess);
  // Two edits at most, and fewer edits than letters (`AB` is not a typo of `ACL`).
  return d <= 2 && d < method.length ? { kind: 'typo', guess } : { kind: 'unknown' };
}

/** The warning for a method no registry or common use knows. */
export function unknownMethodMessage(method: string): string {
  return `"${method}" is not a registered HTTP method (IANA) nor a common one like PURGE: the rule fires only for clients that send exactly this method`;
}
