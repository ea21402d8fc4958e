import type { IncomingMessage } from 'node:http';
import picomatch from 'picomatch';
import type { Rule } from './types.js';
import type { MatchDefinition } from './schema-match.js';
import type { ValueCondition } from './schema-common.js';
import { queryParam } from './query.js';

/*
 * `match:` compiled once into one function. Each kind of condition is `null` when the rule has
 * none, so an absent condition costs one comparison; the cheap ones (method, path) run first.
 * Paths are matched as received (not percent-decoded), without the query.
 */

type Matcher = Rule['matches'];

/** A header or query condition, ready to test: a string compare, a RegExp, or presence. */
interface ValueTest {
  readonly name: string;
  readonly exact: string | null;
  readonly re: RegExp | null;
}

interface Compiled {
  readonly method: string | null;
  readonly methods: ReadonlySet<string> | null;
  readonly path: string | null;
  readonly paths: ReadonlySet<string> | null;
  readonly pathRe: RegExp | null;
  /** A literal prefix every path `pathRe` can match starts with: a string compare rejects most paths before the RegExp runs. */
  readonly pathPrefix: string | null;
  readonly headers: readonly ValueTest[] | null;
  readonly query: readonly ValueTest[] | null;
}

const matchAll: Matcher = () => true;

/** Compiles a rule's `match` (absent: matches every request). */
export function compileMatcher(def: MatchDefinition | undefined): Matcher {
  if (def === undefined) return matchAll;
  const methods = def.method === undefined ? null : [...new Set(def.method)];
  const exact = def.path?.filter((p) => !picomatch.scan(p).isGlob) ?? [];
  const globs = def.path?.filter((p) => picomatch.scan(p).isGlob) ?? [];
  const c: Compiled = {
    method: methods?.length === 1 ? (methods[0] ?? null) : null,
    methods: methods !== null && methods.length > 1 ? new Set(methods) : null,
    path: globs.length === 0 && exact.length === 1 ? (exact[0] ?? null) : null,
    paths: globs.length > 0 || exact.length > 1 ? new Set(exact) : null,
    pathRe: def.pathRegex !== undefined ? new RegExp(def.pathRegex.source, def.pathRegex.flags) : globRegExp(globs),
    pathPrefix:
      exact.length > 0
        ? null
        : def.pathRegex !== undefined
          ? regexPrefix(def.pathRegex.source, def.pathRegex.flags)
          : globPrefix(globs),
    headers: valueTests(def.headers),
    query: valueTests(def.query),
  };
  if (Object.values(c).every((v) => v === null)) return matchAll;
  return (req, path, query) => matches(c, req, path, query);
}

/** All globs as one RegExp: `*` is one segment, `**` any depth; dotfiles are not special in URLs. */
function globRegExp(globs: readonly string[]): RegExp | null {
  if (globs.length === 0) return null;
  const sources = globs.map((g) => picomatch.makeRe(g, { dot: true }).source);
  return new RegExp(sources.length === 1 ? (sources[0] ?? '') : sources.map((s) => `(?:${s})`).join('|'));
}

/** The longest literal prefix all globs share (their non-glob bases), or null. */
function globPrefix(globs: readonly string[]): string | null {
  if (globs.length === 0) return null;
  let prefix = picomatch.scan(globs[0] as string).base;
  for (const g of globs) {
    const base = picomatch.scan(g).base;
    let i = 0;
    while (i < prefix.length && i < base.length && prefix[i] === base[i]) i++;
    prefix = prefix.slice(0, i);
  }
  return prefix.length > 1 ? prefix : null;
}

/** `^/v2/...` → `/v2/`: the literal start of an anchored, case-sensitive, non-alternating RegExp. */
function regexPrefix(source: string, flags: string): string | null {
  if (!source.startsWith('^') || flags.includes('i') || flags.includes('m') || source.includes('|')) return null;
  const m = /^[^\\.[\](){}*+?|^$]*/.exec(source.slice(1));
  const literal = m?.[0] ?? '';
  // A quantifier after the literal applies to its last character, which is then not certain.
  const next = source.charAt(1 + literal.length);
  const sure = next === '*' || next === '?' || next === '{' ? literal.slice(0, -1) : literal;
  return sure.length > 1 ? sure : null;
}

function valueTests(def: Readonly<Record<string, ValueCondition>> | undefined): readonly ValueTest[] | null {
  if (def === undefined) return null;
  const tests = Object.entries(def).map(([name, cond]): ValueTest => ({
    name,
    exact: cond.kind === 'exact' ? cond.value : null,
    re: cond.kind === 'regex' ? new RegExp(cond.source, cond.flags) : null,
  }));
  return tests.length === 0 ? null : tests;
}

function matches(c: Compiled, req: IncomingMessage, path: string, query: string): boolean {
  if (c.method !== null && req.method !== c.method) return false;
  if (c.methods !== null && (req.method === undefined || !c.methods.has(req.method))) return false;
  if (c.path !== null && path !== c.path) return false;
  // With globs, `paths` holds the exact entries of the list (maybe none) and `pathRe` the globs.
  if (c.paths !== null && !c.paths.has(path) && (c.pathRe === null || !c.pathRe.test(path))) return false;
  if (
    c.paths === null &&
    c.pathRe !== null &&
    ((c.pathPrefix !== null && !path.startsWith(c.pathPrefix)) || !c.pathRe.test(path))
  )
    return false;
  if (c.headers !== null) {
    for (const t of c.headers) if (!testValue(t, req.headers[t.name])) return false;
  }
  if (c.query !== null) {
    for (const t of c.query) if (!testValue(t, queryParam(query, t.name))) return false;
  }
  return true;
}

/** A repeated header matches when any of its values does. */
function testValue(t: ValueTest, v: string | string[] | undefined): boolean {
  if (v === undefined) return false;
  if (typeof v !== 'string') {
    for (const one of v) if (testValue(t, one)) return true;
    return false;
  }
  if (t.exact !== null) return v === t.exact;
  if (t.re !== null) return t.re.test(v);
  return true;
}
