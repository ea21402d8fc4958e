import type { HeaderPair } from './types.js';

/** All values of a header (case-insensitive name), in wire order. */
export function headerValues(headers: readonly HeaderPair[], name: string): string[] {
  const lower = name.toLowerCase();
  const out: string[] = [];
  for (const [n, v] of headers) if (n.toLowerCase() === lower) out.push(v);
  return out;
}

/** The field value as a recipient combines repeated lines (RFC 9110 §5.3), or null when absent. */
export function headerValue(headers: readonly HeaderPair[], name: string): string | null {
  const values = headerValues(headers, name);
  return values.length === 0 ? null : values.join(', ');
}

export function hasHeader(headers: readonly HeaderPair[], name: string): boolean {
  return headerValues(headers, name).length > 0;
}

/** `type/subtype` of the first Content-Type, lower case, without parameters; null when absent or empty. */
export function mediaType(headers: readonly HeaderPair[]): string | null {
  const v = headerValues(headers, 'content-type')[0];
  if (v === undefined) return null;
  const type = v.split(';', 1)[0]?.trim().toLowerCase() ?? '';
  return type === '' ? null : type;
}

/** JSON media types: application/json and any `+json` structured suffix (RFC 6839 §3.1). */
export function isJsonType(type: string | null): boolean {
  return type !== null && (type === 'application/json' || type.endsWith('+json'));
}

export function isXmlType(type: string | null): boolean {
  return type !== null && (type === 'application/xml' || type === 'text/xml' || type.endsWith('+xml'));
}

/** Cache-Control directives, names lower-cased, values unquoted (RFC 9111 §5.2). */
export function cacheDirectives(headers: readonly HeaderPair[]): Map<string, string | null> {
  const out = new Map<string, string | null>();
  const v = headerValue(headers, 'cache-control');
  if (v === null) return out;
  for (const part of v.split(',')) {
    const eq = part.indexOf('=');
    const name = (eq < 0 ? part : part.slice(0, eq)).trim().toLowerCase();
    if (name === '') continue;
    const value =
      eq < 0
        ? null
        : part
            .slice(eq + 1)
            .trim()
            .replace(/^"(.*)"$/, '$1');
    if (!out.has(name)) out.set(name, value);
  }
  return out;
}

/** A comma-separated list header as lower-cased trimmed members (e.g. Vary). */
export function listMembers(headers: readonly HeaderPair[], name: string): string[] {
  const v = headerValue(headers, name);
  if (v === null) return [];
  return v
    .split(',')
    .map((m) => m.trim().toLowerCase())
    .filter((m) => m !== '');
}
