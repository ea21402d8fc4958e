import { headerValues } from './headers.js';
import type { HeaderPair } from './types.js';

export interface Directive {
  /** Lower-cased. */
  name: string;
  /** Unquoted argument, or null when there was none. */
  value: string | null;
  quoted: boolean;
}

export interface CacheControl {
  /** Every directive in order (duplicates kept). */
  list: Directive[];
  /** The first occurrence of each directive, as RFC 9111 §4.2.1 lets caches use. */
  map: Map<string, Directive>;
  /** Tokens that are not directive syntax at all. */
  malformed: string[];
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** RFC 9111 §5.2: #( token [ "=" ( token / quoted-string ) ] ), with commas inside quotes respected. */
export function parseCacheControl(headers: readonly HeaderPair[]): CacheControl {
  const list: Directive[] = [];
  const malformed: string[] = [];
  for (const field of headerValues(headers, 'cache-control')) {
    for (const part of splitList(field)) {
      const item = part.trim();
      if (item === '') continue;
      const eq = item.indexOf('=');
      const name = (eq < 0 ? item : item.slice(0, eq)).trim();
      let raw = eq < 0 ? null : item.slice(eq + 1).trim();
      if (!TOKEN.test(name)) {
        malformed.push(item);
        continue;
      }
      let quoted = false;
      if (raw !== null && raw.startsWith('"')) {
        if (raw.length < 2 || !raw.endsWith('"')) {
          malformed.push(item);
          continue;
        }
        quoted = true;
        raw = raw.slice(1, -1).replace(/\\(.)/g, '$1');
      } else if (raw !== null && !TOKEN.test(raw)) {
        malformed.push(item);
        continue;
      }
      list.push({ name: name.toLowerCase(), value: raw, quoted });
    }
  }
  const map = new Map<string, Directive>();
  for (const d of list) if (!map.has(d.name)) map.set(d.name, d);
  return { list, map, malformed };
}

/** Split a list value on commas outside quoted strings (RFC 9110 §5.6.1, §5.6.4). */
export function splitList(value: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inQuote = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (inQuote && c === '\\' && i + 1 < value.length) {
      cur += c + value[++i]!;
      continue;
    }
    if (c === '"') inQuote = !inQuote;
    if (c === ',' && !inQuote) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

/** delta-seconds (RFC 9111 §1.2.2), or null when the argument is not one. Quoted digits are read, as caches do. */
export function deltaSeconds(d: Directive | undefined): number | null {
  if (d === undefined || d.value === null || !/^\d+$/.test(d.value)) return null;
  return Number(d.value);
}
