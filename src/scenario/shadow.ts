import picomatch from 'picomatch';
import type { Problem } from '../errors.js';
import type { ScenarioDocument } from './parse.js';
import type { Position } from './positions.js';
import type { RuleDefinition } from './schema.js';
import type { MatchDefinition } from './schema-match.js';
import type { ValueCondition } from './schema-common.js';
import { canonical } from './canonical.js';

/*
 * Rules that can never fire. The first enabled rule whose match holds and whose `when` fires wins
 * (triggers.ts), so a later rule is unreachable when an earlier enabled rule fires every time
 * (no `when`, no `maxActive`) for every request the later one matches. Only what can be proved is
 * reported: an earlier rule that fires for a superset some cheaper test cannot show stays silent.
 */

interface Placed {
  readonly def: RuleDefinition;
  readonly index: number;
  readonly file: string;
  readonly at: Position;
}

/** One warning per unreachable rule, at that rule, naming the first earlier rule that shadows it. */
export function findShadowedRules(docs: readonly ScenarioDocument[]): Problem[] {
  const placed: Placed[] = docs.flatMap((doc) =>
    doc.data.rules.map((def, index) => ({ def, index, file: doc.file, at: doc.rulePositions[index] ?? { line: 1, column: 1 } })),
  );
  const warnings: Problem[] = [];
  const alwaysFiring: Placed[] = [];
  for (const rule of placed) {
    const by = alwaysFiring.find((earlier) => covers(earlier.def.match, rule.def.match));
    if (by !== undefined) {
      const where = by.file === rule.file ? `line ${by.at.line}` : `${by.file}:${by.at.line}:${by.at.column}`;
      warnings.push({
        file: rule.file,
        ...rule.at,
        path: `rules[${rule.index}]`,
        message: `rule "${rule.def.name}" can never fire: rule "${by.def.name}" (${where}) comes first, always fires and matches every request this one matches`,
      });
    }
    if (rule.def.enabled && rule.def.when === undefined && rule.def.maxActive === undefined) alwaysFiring.push(rule);
  }
  return warnings;
}

/** Does every request `inner` matches also match `outer`? false when it cannot be shown. */
function covers(outer: MatchDefinition | undefined, inner: MatchDefinition | undefined): boolean {
  if (outer === undefined) return true;
  const i = inner ?? {};
  if (outer.method !== undefined && (i.method === undefined || !i.method.every((m) => outer.method?.includes(m)))) return false;
  if (!pathsCovered(outer, i)) return false;
  return conditionsCovered(outer.headers, i.headers) && conditionsCovered(outer.query, i.query);
}

function pathsCovered(outer: MatchDefinition, inner: MatchDefinition): boolean {
  if (outer.pathRegex !== undefined) return false;
  if (outer.path === undefined || outer.path.some(matchesEveryPath)) return true;
  // Otherwise only literal paths of the inner rule can be checked one by one.
  if (inner.path === undefined || inner.path.some((p) => picomatch.scan(p).isGlob)) return false;
  const isMatch = picomatch(outer.path as string[], { dot: true });
  return inner.path.every((p) => outer.path?.includes(p) === true || isMatch(p));
}

/** `/**` (and `/**\/*`-like spellings picomatch reads the same) match every path. */
function matchesEveryPath(glob: string): boolean {
  return glob === '/**' || glob === '/**/*' || glob === '/**/**';
}

function conditionsCovered(
  outer: Readonly<Record<string, ValueCondition>> | undefined,
  inner: Readonly<Record<string, ValueCondition>> | undefined,
): boolean {
  if (outer === undefined) return true;
  for (const [name, cond] of Object.entries(outer)) {
    const mine = inner?.[name];
    if (mine === undefined) return false;
    if (cond.kind !== 'present' && canonical(cond) !== canonical(mine)) return false;
  }
  return true;
}
