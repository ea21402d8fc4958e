/*
 * Reads one parameter out of a raw query string without building a URLSearchParams: a rule with
 * query conditions pays for a scan and one substring, a rule without pays nothing.
 */

/** The first value of `name` in `query` (no leading `?`), decoded; `''` for `?flag`; undefined when absent. */
export function queryParam(query: string, name: string): string | undefined {
  const end = query.length;
  let i = 0;
  while (i < end) {
    let amp = query.indexOf('&', i);
    if (amp === -1) amp = end;
    let eq = query.indexOf('=', i);
    if (eq === -1 || eq > amp) eq = amp;
    if (keyEquals(query, i, eq, name)) return eq === amp ? '' : decode(query.slice(eq + 1, amp));
    i = amp + 1;
  }
  return undefined;
}

function keyEquals(query: string, start: number, end: number, name: string): boolean {
  if (end - start === name.length && query.startsWith(name, start)) return true;
  // An encoded key (`dry%52un`, `a+b`) is rare: decode it only then.
  for (let i = start; i < end; i++) {
    const c = query.charCodeAt(i);
    if (c === 0x25 || c === 0x2b) return decode(query.slice(start, end)) === name;
  }
  return false;
}

/** application/x-www-form-urlencoded decoding; malformed escapes are kept as written. */
function decode(s: string): string {
  if (s.indexOf('%') === -1 && s.indexOf('+') === -1) return s;
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}
