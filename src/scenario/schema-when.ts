import { z } from 'zod';
import type { QuotaKeySpec, QuotaSpec } from './types.js';
import { TOKEN, bool, intIn, isRecord, need, strict, unit } from './schema-common.js';
import { parseDuration, parseProbability, parseSize } from './units.js';

/*
 * `when:` — of the requests a rule matches, which ones it fires for. Without `when` it fires for
 * all of them. A `quota` hands that decision to the quota engine, so it excludes the counters.
 */

const MAX = Number.MAX_SAFE_INTEGER;

const windowSchema = strict(
  { start: unit(parseDuration).optional(), end: unit(parseDuration).optional() },
  'must be a mapping like { start: 30s, end: 2m }',
).superRefine((w, ctx) => {
  if (w.start === undefined && w.end === undefined) {
    ctx.addIssue({ code: 'custom', message: 'must give start, end or both' });
  } else if (w.start !== undefined && w.end !== undefined && w.end <= w.start) {
    ctx.addIssue({ code: 'custom', path: ['end'], message: `must be later than start (${w.start}ms), got ${w.end}ms` });
  }
});

const KEY_MESSAGE = 'must be header:NAME, query:NAME, path:N (N >= 1), ip, user, jwt:CLAIM or global';

/** `header:x-tenant-id` → { kind: 'header', name } etc. `path:N` counts segments from 1. */
function parseQuotaKey(text: string): QuotaKeySpec | null {
  if (text === 'ip' || text === 'global' || text === 'user') return { kind: text };
  const colon = text.indexOf(':');
  const kind = text.slice(0, colon);
  const arg = text.slice(colon + 1);
  if (colon < 0 || arg === '') return null;
  if (kind === 'header') return TOKEN.test(arg) ? { kind, name: arg.toLowerCase() } : null;
  if (kind === 'query') return { kind, name: arg };
  if (kind === 'path') return /^[1-9]\d*$/.test(arg) ? { kind, index: Number(arg) } : null;
  if (kind === 'jwt') return /^\S+$/.test(arg) ? { kind, claim: arg } : null;
  return null;
}

const quotaKey = z.string({ error: need(KEY_MESSAGE) }).transform((text, ctx) => {
  const key = parseQuotaKey(text.trim());
  if (key === null) {
    ctx.addIssue({ code: 'custom', message: KEY_MESSAGE });
    return z.NEVER;
  }
  return { key, keyText: text.trim() };
});

/** A bytes limit is a size (`10MiB`); a requests limit a positive integer. */
function parseLimit(measure: 'bytes' | 'requests', raw: string | number): number {
  if (measure === 'bytes') {
    const n = parseSize(raw);
    if (n > 0) return n;
  } else if (typeof raw === 'number' ? Number.isSafeInteger(raw) && raw > 0 : /^[1-9]\d*$/.test(raw)) {
    return Number(raw);
  }
  throw new Error(
    measure === 'bytes'
      ? 'must be a positive size like 10MiB (measure: bytes)'
      : 'must be a positive integer (measure: requests)',
  );
}

const quotaSchema = strict(
  {
    key: quotaKey,
    measure: z.enum(['bytes', 'requests'], { error: need('must be bytes or requests') }),
    limit: z.union([z.string(), z.number()], { error: need('must be a size like 10MiB, or a count of requests') }),
    period: unit((v) => {
      const ms = parseDuration(v);
      if (ms <= 0) throw new Error(`must be a positive duration like 1h, got ${JSON.stringify(v)}`);
      return ms;
    }).optional(),
    track: z.literal('objects', { error: 'must be objects' }).optional(),
    countOn: z.enum(['success', 'always'], { error: 'must be success or always' }).default('success'),
    metricsPerKey: bool.default(false),
  },
  'must be a mapping like { key: header:x-tenant-id, measure: bytes, limit: 10MiB }',
)
  .superRefine(
    (q, ctx) => {
      if (!isRecord(q)) return;
      const { measure, limit } = q;
      if (q['track'] !== undefined && measure === 'requests') {
        ctx.addIssue({ code: 'custom', path: ['track'], message: 'contradictory fields: track applies only to measure: bytes' });
      }
      // Checked here, where it runs even when another key failed, rather than in the transform.
      // The refinement sees raw input when another key failed, whatever the inferred type says.
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition
      if ((measure === 'bytes' || measure === 'requests') && (typeof limit === 'string' || typeof limit === 'number')) {
        try {
          parseLimit(measure, limit);
        } catch (err) {
          ctx.addIssue({ code: 'custom', path: ['limit'], message: err instanceof Error ? err.message : String(err) });
        }
      }
    },
    { when: () => true },
  )
  .transform((q): QuotaSpec => ({
    key: q.key.key,
    keyText: q.key.keyText,
    measure: q.measure,
    limit: parseLimit(q.measure, q.limit),
    periodMs: q.period ?? null,
    track: q.track ?? null,
    countOn: q.countOn,
    metricsPerKey: q.metricsPerKey,
  }));

/** Keys a quota rule may not have: the quota alone decides when it fires. */
const NOT_WITH_QUOTA = ['probability', 'every', 'after', 'times', 'window'] as const;

export const whenSchema = strict(
  {
    probability: unit(parseProbability).optional(),
    every: intIn(1, MAX, 'must be a positive integer (every Nth matching request)').optional(),
    after: intIn(0, MAX, 'must be a non-negative integer (matching requests to skip)').optional(),
    times: intIn(1, MAX, 'must be a positive integer (most times to fire)').optional(),
    window: windowSchema.optional(),
    quota: quotaSchema.optional(),
  },
  'must be a mapping of conditions (probability, every, after, times, window, quota)',
).superRefine(
  (w, ctx) => {
    if (!isRecord(w) || w['quota'] === undefined) return;
    for (const key of NOT_WITH_QUOTA) {
      if (w[key] !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `contradictory fields: ${key} cannot be combined with quota (the quota decides when the rule fires)`,
        });
      }
    }
  },
  { when: () => true },
);

export type WhenDefinition = z.output<typeof whenSchema>;
