import { z } from 'zod';
import { bool, intIn, isRecord, need, strict, unit } from './schema-common.js';
import { parseDuration, parseProbability } from './units.js';

/*
 * Stop conditions and blast-radius limits: `guards:` (at the top level and per rule), `dryRun:`
 * (per file and per rule) and a rule's `limit: { share }`. Parsing yields plain data (ms, 0..1);
 * guard-plan.ts turns a rule set's worth of it into the GuardPlan the runtime reads.
 */

const MAX = Number.MAX_SAFE_INTEGER;
const NAME_MESSAGE = 'must be lowercase letters, digits and dashes ([a-z0-9-]+), like upstream-healthy';

function positiveDuration(example: string) {
  return unit((v) => {
    const ms = parseDuration(v);
    if (ms <= 0) throw new Error(`must be a positive duration like ${example}, got ${JSON.stringify(v)}`);
    return ms;
  });
}

const minimum = intIn(1, MAX, 'must be a positive integer (requests in the window before the guard may trip)');

const errorRateSchema = strict(
  { above: unit(parseProbability), over: positiveDuration('1m'), min: minimum.default(1) },
  'must be a mapping like { above: 5%, over: 1m, min: 100 }',
);

const p99Schema = strict(
  { above: positiveDuration('800ms'), over: positiveDuration('2m'), min: minimum.default(1) },
  'must be a mapping like { above: 800ms, over: 2m }',
);

const CONDITIONS = ['upstreamErrorRate', 'p99'] as const;

const conditionSchema = strict(
  { upstreamErrorRate: errorRateSchema.optional(), p99: p99Schema.optional() },
  'must be a mapping with one condition: upstreamErrorRate or p99',
).superRefine(
  (c, ctx) => {
    if (!isRecord(c)) return;
    const given = CONDITIONS.filter((k) => c[k] !== undefined);
    if (given.length !== 1)
      ctx.addIssue({
        code: 'custom',
        message:
          given.length === 0
            ? 'must give one condition: upstreamErrorRate or p99'
            : 'must give one condition per guard (write two guards)',
      });
  },
  { when: () => true },
);

const webhookSchema = z.string({ error: need('must be an http:// or https:// URL') }).refine(
  (v) => {
    try {
      const url = new URL(v);
      return url.protocol === 'http:' || url.protocol === 'https:';
    } catch {
      return false;
    }
  },
  { error: 'must be an http:// or https:// URL' },
);

const guardSchema = strict(
  {
    name: z.string({ error: need(NAME_MESSAGE) }).regex(/^[a-z0-9-]+$/, { error: NAME_MESSAGE }),
    when: conditionSchema,
    resume: z.enum(['manual', 'auto'], { error: 'must be manual (faultline resume) or auto' }).default('manual'),
    quiet: positiveDuration('1m').optional(),
    onTrip: strict({ webhook: webhookSchema }, 'must be a mapping like { webhook: https://hooks.example/chaos }').optional(),
  },
  'must be a mapping with name and when',
).superRefine(
  (g, ctx) => {
    if (isRecord(g) && g['quiet'] !== undefined && g['resume'] !== 'auto')
      ctx.addIssue({ code: 'custom', path: ['quiet'], message: 'contradictory fields: quiet applies only to resume: auto' });
  },
  { when: () => true },
);

const guardList = z.array(guardSchema, { error: 'must be a list of guards' });

const limitSchema = strict(
  {
    share: unit((v) => {
      const p = parseProbability(v);
      if (p <= 0) throw new Error(`must be a share above 0 like 10%, got ${JSON.stringify(v)}`);
      return p;
    }),
  },
  'must be a mapping like { share: 10% }',
);

/** The keys a scenario file gains at the top level (spread into fileSchema). */
export const fileGuardKeys = { guards: guardList.optional(), dryRun: bool.default(false) };

/** The keys a rule gains (spread into ruleSchema). */
export const ruleGuardKeys = { guards: guardList.optional(), dryRun: bool.default(false), limit: limitSchema.optional() };

export type GuardDefinition = z.output<typeof guardSchema>;

/** Guard names are metric labels and `faultline resume NAME` arguments: one name, one guard, per file. */
export function checkGuardNames(data: unknown, ctx: z.RefinementCtx): void {
  if (!isRecord(data)) return;
  const seen = new Set<string>();
  const visit = (list: unknown, path: (string | number)[]): void => {
    if (!Array.isArray(list)) return;
    list.forEach((g, i) => {
      const name = isRecord(g) ? g['name'] : undefined;
      if (typeof name !== 'string') return;
      if (seen.has(name)) ctx.addIssue({ code: 'custom', path: [...path, i, 'name'], message: `duplicate guard name "${name}"` });
      seen.add(name);
    });
  };
  visit(data['guards'], ['guards']);
  const rules = data['rules'];
  if (Array.isArray(rules)) rules.forEach((r, i) => isRecord(r) && visit(r['guards'], ['rules', i, 'guards']));
}
