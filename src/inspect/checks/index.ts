import type { Finding } from '../types.js';
import { bodyCheck } from './body.js';
import { cachingCheck } from './caching.js';
import type { Check, CheckInput } from './check.js';
import { codingCheck } from './coding.js';
import { contentCheck } from './content.js';
import { corsCheck } from './cors.js';
import { exposureCheck } from './exposure.js';
import { fieldsCheck } from './fields.js';
import { framingCheck } from './framing.js';
import { leaksCheck } from './leaks.js';
import { redirectsCheck } from './redirects.js';
import { requirementsCheck } from './requirements.js';
import { retryCheck } from './retry.js';
import { statusCheck } from './status.js';
import { tracingCheck } from './tracing.js';

export type { Check, CheckInput } from './check.js';

/** Every check, in report order. Each id of the catalogue belongs to exactly one check. */
export const CHECKS: readonly Check[] = Object.freeze([
  framingCheck,
  fieldsCheck,
  codingCheck,
  bodyCheck,
  contentCheck,
  cachingCheck,
  retryCheck,
  statusCheck,
  requirementsCheck,
  corsCheck,
  leaksCheck,
  exposureCheck,
  tracingCheck,
  redirectsCheck,
]);

const RANK = { error: 0, warning: 1, info: 2 } as const;

/** Run every check; findings come out errors first, then warnings, then info, each in check order. */
export function runChecks(input: CheckInput): Finding[] {
  const all = CHECKS.flatMap((c) => c.run(input));
  return all.sort((a, b) => RANK[a.severity] - RANK[b.severity]); // sort is stable
}
