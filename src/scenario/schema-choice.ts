import { z } from 'zod';
import { closest, distance } from 'fastest-levenshtein';

/**
 * One of a fixed list of names (a preset, a format), with a "did you mean" hint for a near miss
 * and the whole list otherwise: `unknown preset "minoi" (did you mean "minio"?)`.
 */
export function oneOf<T extends string>(names: readonly T[], what: string) {
  const known = new Set<string>(names);
  return z.unknown().transform((v, ctx): T => {
    if (typeof v === 'string' && known.has(v)) return v as T;
    if (typeof v !== 'string') {
      ctx.addIssue({ code: 'custom', message: `must be a ${what} name: one of ${names.join(', ')}` });
      return z.NEVER;
    }
    const guess = closest(v.toLowerCase(), names);
    const d = distance(v.toLowerCase(), guess);
    const hint = d <= 2 && d < Math.max(2, v.length / 2) ? `did you mean "${guess}"?` : `expected one of: ${names.join(', ')}`;
    ctx.addIssue({ code: 'custom', message: `unknown ${what} "${v}" (${hint})` });
    return z.NEVER;
  });
}
