import { z } from 'zod';
import { bool, intIn, isRecord, need, strict } from './schema-common.js';
import { faultSchema } from './schema-fault.js';
import { matchSchema } from './schema-match.js';
import { whenSchema } from './schema-when.js';
import { checkGuardNames, fileGuardKeys, ruleGuardKeys } from './schema-guards.js';

/*
 * The whole scenario file. Parsing it yields plain data (units in ms/bytes, regexes as source
 * text) that compile.ts turns into rules; the same data, canonically printed, is a rule's fingerprint.
 */

const NAME_MESSAGE = 'must be lowercase letters, digits and dashes ([a-z0-9-]+), like uploads-507';

export const ruleSchema = strict(
  {
    name: z.string({ error: need(NAME_MESSAGE) }).regex(/^[a-z0-9-]+$/, { error: NAME_MESSAGE }),
    enabled: bool.default(true),
    match: matchSchema.optional(),
    when: whenSchema.optional(),
    fault: faultSchema,
    maxActive: intIn(1, Number.MAX_SAFE_INTEGER, 'must be a positive integer (faults of this rule active at once)').optional(),
    ...ruleGuardKeys,
  },
  'must be a mapping with name, match, when and fault',
).superRefine(
  (r, ctx) => {
    // select() hands a quota rule over as soon as it matches, before maxActive is consulted.
    const when = isRecord(r) ? r['when'] : undefined;
    if (isRecord(r) && r['maxActive'] !== undefined && isRecord(when) && when['quota'] !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['maxActive'],
        message: 'contradictory fields: maxActive cannot be combined with when.quota',
      });
    }
  },
  { when: () => true },
);

export const fileSchema = strict(
  {
    version: z.literal(1, { error: need('must be 1 (the only version so far)') }),
    seed: intIn(0, 0xffffffff).optional(),
    headerFaults: bool.default(false),
    marker: bool.default(true),
    // `rules:` with every rule commented out is an empty list, not a mistake.
    rules: z.preprocess((v) => v ?? [], z.array(ruleSchema, { error: 'must be a list of rules' })),
    ...fileGuardKeys,
  },
  'must be a mapping with version: 1 and rules',
).superRefine(checkGuardNames, { when: () => true });

export type FileDefinition = z.output<typeof fileSchema>;
export type RuleDefinition = z.output<typeof ruleSchema>;
