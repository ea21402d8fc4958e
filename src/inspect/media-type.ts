import { splitList } from './cache-control.js';

export interface MediaType {
  /** type/subtype, lower case. */
  type: string;
  /** Parameter names lower-cased, values unquoted. */
  params: Map<string, string>;
  /** Why it is not valid RFC 9110 §8.3.1 syntax, or null. */
  invalid: string | null;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Parse one Content-Type value: type "/" subtype *( OWS ";" OWS parameter ). */
export function parseMediaType(value: string): MediaType {
  const [head = '', ...rest] = splitParams(value);
  const type = head.trim().toLowerCase();
  const params = new Map<string, string>();
  const slash = type.indexOf('/');
  let invalid: string | null = null;
  if (slash <= 0 || !TOKEN.test(type.slice(0, slash)) || !TOKEN.test(type.slice(slash + 1)))
    invalid = `"${head.trim()}" is not type/subtype`;
  for (const p of rest) {
    if (p.trim() === '') continue;
    const eq = p.indexOf('=');
    const name = (eq < 0 ? p : p.slice(0, eq)).trim().toLowerCase();
    let v = eq < 0 ? '' : p.slice(eq + 1).trim();
    if (eq < 0 || !TOKEN.test(name) || v === '') {
      invalid ??= `parameter "${p.trim()}" is not name=value`;
      continue;
    }
    if (v.startsWith('"') && v.endsWith('"') && v.length >= 2) v = v.slice(1, -1).replace(/\\(.)/g, '$1');
    else if (!TOKEN.test(v)) invalid ??= `parameter value "${v}" needs quoting`;
    if (params.has(name)) invalid ??= `parameter "${name}" is repeated`;
    else params.set(name, v);
  }
  return { type, params, invalid };
}

function splitParams(value: string): string[] {
  // Reuse the quote-aware splitter on ";" by swapping the separators.
  return splitList(value.replace(/,/g, '\u0000').replace(/;/g, ',')).map((s) => s.replace(/\u0000/g, ','));
}
