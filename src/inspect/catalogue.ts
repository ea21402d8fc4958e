import { CACHING } from './catalogue/caching.js';
import { CODING } from './catalogue/coding.js';
import { CONTENT } from './catalogue/content.js';
import { CORS } from './catalogue/cors.js';
import type { CatalogueEntry } from './catalogue/entry.js';
import { FIELDS } from './catalogue/fields.js';
import { FRAMING } from './catalogue/framing.js';
import { LEAKS } from './catalogue/leaks.js';
import { MISC } from './catalogue/misc.js';
import { STATUS } from './catalogue/status.js';
import type { Finding } from './types.js';

/**
 * Every finding the inspector can report: a stable kebab-case id (users and CI match on it), a
 * fixed severity, the rule, why it matters, a one-line fix and the sections that decide it.
 * docs/inspect.md lists them all; a test keeps it in step. One file per class in catalogue/.
 */
export const FINDINGS = {
  ...FRAMING,
  ...FIELDS,
  ...CACHING,
  ...CODING,
  ...STATUS,
  ...CONTENT,
  ...CORS,
  ...LEAKS,
  ...MISC,
} as const;

export type FindingId = keyof typeof FINDINGS;

/** Every id, in catalogue order. */
export const FINDING_IDS = Object.freeze(Object.keys(FINDINGS) as FindingId[]);

const EVIDENCE_MAX = 160;

/** Build a finding of the catalogue: severity, why, fix and refs come from there, never from the check. */
export function finding(id: FindingId, message: string, evidence?: string): Finding {
  const entry: CatalogueEntry = FINDINGS[id];
  const f: Finding = { id, severity: entry.severity, message, why: entry.why, fix: entry.fix, refs: entry.refs };
  if (evidence !== undefined) {
    const flat = evidence.replace(/\s+/g, ' ').trim();
    f.evidence = flat.length > EVIDENCE_MAX ? `${flat.slice(0, EVIDENCE_MAX - 1)}…` : flat;
  }
  return f;
}
