import type { Problem } from '../errors.js';
import type { ScenarioDocument } from './parse.js';
import { findShadowedRules } from './shadow.js';

/**
 * Everything worth telling about valid documents that still load: each file's own warnings
 * (unknown methods) and the rules an earlier rule makes unreachable, in load order.
 */
export function scenarioWarnings(docs: readonly ScenarioDocument[]): Problem[] {
  const order = new Map(docs.map((d, i) => [d.file, i]));
  return [...docs.flatMap((d) => d.warnings), ...findShadowedRules(docs)].sort(
    (a, b) => (order.get(a.file) ?? 0) - (order.get(b.file) ?? 0) || a.line - b.line || a.column - b.column,
  );
}
