import { z } from 'zod';
import { isRecord } from './is-record.js';
import { redosProblem } from './redos.js';
import { closest, distance } from 'fastest-levenshtein';

/*
 * Building blocks shared by the scenario schemas. Two rules keep the messages good:
 *  - every schema carries its own message, written as the end of "<path>: ..." (`must be ...`);
 *  - unknown keys are reported one by one, at the key, with a "did you mean" hint. zod's own
 *    strict objects report all unknown keys as one issue and cannot name the known ones, so
 *    `strict()` uses a loose object plus a check that always runs.
 */

export { isRecord } from './is-record.js';

/** Messages for unknown keys start with this; positions.ts points them at the key, not the value. */
export const UNKNOWN_KEY = 'unknown key';

export function unknownKeyMessage(key: string, known: readonly string[]): string {
  if (known.length === 0) return `${UNKNOWN_KEY} "${key}"`;
  const best = closest(
    key.toLowerCase(),
    known.map((k) => k.toLowerCase()),
  );
  const index = known.findIndex((k) => k.toLowerCase() === best);
  const guess = known[index];
  // A hint only when it is plausibly a typo: at most 2 edits, and fewer than half the letters.
  const d = distance(key.toLowerCase(), best);
  if (guess !== undefined && d <= 2 && d < Math.max(2, key.length / 2)) {
    return `${UNKNOWN_KEY} (did you mean "${guess}"?)`;
  }
  return `${UNKNOWN_KEY} (expected one of: ${known.join(', ')})`;
}

/** A schema message that says "is required" when the key is missing and `message` otherwise. */
export function need(message: string): (iss: { input?: unknown }) => string {
  return (iss) => (iss.input === undefined ? 'is required' : message);
}

/** The message for a record: a bad key is named as such, anything else gets `message`. */
export function recordMessage(what: string, message: string): (iss: { code: string; input?: unknown }) => string {
  return (iss) => (iss.code === 'invalid_key' ? `is not a valid ${what}` : need(message)(iss));
}

/** A mapping with exactly the keys of `shape`; each other key is its own positioned issue. */
export function strict<T extends z.core.$ZodLooseShape>(shape: T, message: string) {
  const known = Object.keys(shape);
  return z.looseObject(shape, { error: need(message) }).superRefine(
    (v, ctx) => {
      if (!isRecord(v)) return;
      for (const key of Object.keys(v)) {
        if (!Object.hasOwn(shape, key)) ctx.addIssue({ code: 'custom', path: [key], message: unknownKeyMessage(key, known) });
      }
    },
    // Run even when a known key failed: every problem in a file is reported at once.
    { when: () => true },
  );
}

/** A scalar parsed by one of units.ts's parsers, whose Error message becomes the issue message. */
export function unit<T>(parse: (v: string | number) => T) {
  return z.unknown().transform((v, ctx): T => {
    if (v === undefined || v === null) {
      ctx.addIssue({ code: 'custom', message: 'is required' });
      return z.NEVER;
    }
    try {
      // The parsers check the type at run time and name the value they got.
      return parse(v as string);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: err instanceof Error ? err.message : String(err) });
      return z.NEVER;
    }
  });
}

/** An integer in [min, max], with one message for every way of missing it. */
export function intIn(min: number, max: number, message?: string) {
  const m = message ?? (max === Number.MAX_SAFE_INTEGER ? `must be an integer >= ${min}` : `must be an integer ${min}-${max}`);
  return z.int({ error: m }).min(min, { error: m }).max(max, { error: m });
}

export const bool = z.boolean({ error: 'must be true or false' });

/** The fallback for issues a schema did not word itself (chiefly: a required key is missing). */
export function fallbackMessage(iss: { code: string; input?: unknown }): string {
  if (iss.input === undefined) return 'is required';
  return `is not valid (${iss.code})`;
}

/**
 * A value that is either a scalar or a mapping, e.g. `delay: 250ms` or `delay: { min: 1s, max: 2s }`.
 * The shape of the input picks the schema, so the mapping's own problems (an unknown key, a bad
 * `min`) are reported as such instead of zod's union's "no option matched".
 */
export function scalarOrMapping<S, M>(scalar: z.ZodType<S>, mapping: z.ZodType<M>) {
  return z.unknown().transform((v, ctx): S | M => {
    const r = isRecord(v) ? mapping.safeParse(v, { error: fallbackMessage }) : scalar.safeParse(v, { error: fallbackMessage });
    if (r.success) return r.data;
    for (const iss of r.error.issues) ctx.addIssue({ code: 'custom', path: iss.path, message: iss.message });
    return z.NEVER;
  });
}

/** Matches a header name (an RFC 9110 token). */
export const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** A `/source/flags` literal; flags g and y are refused because they make `test()` stateful. */
const REGEX_LITERAL = /^\/(.*)\/([a-z]*)$/s;

export type RegexSpec = { readonly source: string; readonly flags: string };

/** Checks that `source` compiles and cannot stall the matcher (ReDoS); returns the message to report, or null. */
export function regexProblem(source: string, flags: string): string | null {
  const bad = flags.replace(/[imsuv]/g, '');
  if (bad !== '') return `regex flag "${bad}" is not allowed (use i, m, s, u or v)`;
  try {
    new RegExp(source, flags);
  } catch (err) {
    // V8 says "Invalid regular expression: /(/: Unterminated group".
    const text = err instanceof Error ? err.message : String(err);
    return text.startsWith('Invalid regular expression') ? `i${text.slice(1)}` : `invalid regular expression: ${text}`;
  }
  return redosProblem(source, flags);
}

export type ValueCondition =
  { readonly kind: 'exact'; readonly value: string } | ({ readonly kind: 'regex' } & RegexSpec) | { readonly kind: 'present' };

const CONDITION_MESSAGE = 'must be a string (exact value), a /regex/, or true (present)';

/** A header or query condition: `acme` (exact), `/^(1|true)$/` (regex) or `true` (present). */
export const valueCondition = z.unknown().transform((v, ctx): ValueCondition => {
  if (v === true) return { kind: 'present' };
  if (typeof v === 'number' && Number.isFinite(v)) return { kind: 'exact', value: String(v) };
  if (typeof v !== 'string') {
    ctx.addIssue({ code: 'custom', message: CONDITION_MESSAGE });
    return z.NEVER;
  }
  const m = REGEX_LITERAL.exec(v);
  if (m === null) return { kind: 'exact', value: v };
  const source = m[1] ?? '';
  const flags = m[2] ?? '';
  const problem = regexProblem(source, flags);
  if (problem !== null) {
    ctx.addIssue({ code: 'custom', message: problem });
    return z.NEVER;
  }
  return { kind: 'regex', source, flags };
});
