import picomatch from 'picomatch';
import type { MatchDefinition } from './schema-match.js';

/**
 * Rules bucketed by the first path segment they can match, so a request is tried only against
 * the rules that could match it, in file order. A rule whose paths all start with a literal
 * segment (`/files/**`, `/svc/items`, `^/v2/`) is listed under those segments; any other rule
 * (no path condition, `/**`, `^/v\d+/`, a case-insensitive regex) is tried for every request.
 * Skipping a rule that cannot match changes nothing: its match would fail and count nothing.
 */
export class RuleIndex<R> {
  private readonly bySegment: ReadonlyMap<string, readonly R[]>;
  private readonly always: readonly R[];

  constructor(rules: readonly R[], segmentsOf: (rule: R) => readonly string[] | null) {
    const segments = rules.map(segmentsOf);
    const keys = new Set<string>();
    for (const s of segments) if (s !== null) for (const k of s) keys.add(k);
    const bySegment = new Map<string, R[]>();
    for (const key of keys)
      bySegment.set(
        key,
        rules.filter((_, i) => segments[i] === null || (segments[i] as readonly string[]).includes(key)),
      );
    this.bySegment = bySegment;
    this.always = rules.filter((_, i) => segments[i] === null);
  }

  /** The rules that could match `path` (the raw path, without the query), in order. */
  candidates(path: string): readonly R[] {
    if (this.bySegment.size === 0) return this.always;
    const end = path.indexOf('/', 1);
    return this.bySegment.get(end === -1 ? path.slice(1) : path.slice(1, end)) ?? this.always;
  }
}

/** The literal first path segments a `match` can match, or null when it is not limited to any. */
export function firstSegments(def: MatchDefinition | undefined): string[] | null {
  if (def === undefined) return null;
  if (def.pathRegex !== undefined) {
    const { source, flags } = def.pathRegex;
    if (!source.startsWith('^/') || flags.includes('i') || source.includes('|')) return null;
    const m = /^\^\/([A-Za-z0-9_~!$&'=:@,;%-]+)\//.exec(source);
    return m === null ? null : [m[1] as string];
  }
  if (def.path === undefined || def.path.length === 0) return null;
  const out: string[] = [];
  for (const p of def.path) {
    const literal = picomatch.scan(p).isGlob ? picomatch.scan(p).base : p;
    // Only a whole first segment counts: `/files/**` → files; `/fi*` or `/**` → not limited.
    const m = /^\/([^/*?{}[\]()!+@]+)(?:\/|$)/.exec(literal.endsWith('/') ? literal : literal + '/');
    if (m === null || (picomatch.scan(p).isGlob && !p.startsWith(`/${m[1]}/`))) return null;
    out.push(m[1] as string);
  }
  return out;
}
