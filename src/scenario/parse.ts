import { LineCounter, parseDocument, type Document } from 'yaml';
import type { Problem } from '../errors.js';
import { fallbackMessage, isRecord, UNKNOWN_KEY } from './schema-common.js';
import { fileSchema, type FileDefinition } from './schema.js';
import { formatPath, locate, type DataPath, type Position } from './positions.js';
import { judgeMethod, unknownMethodMessage } from './methods.js';

/** One scenario file, validated: plain data plus where each rule starts (for `Rule.line`). */
export interface ScenarioDocument {
  readonly file: string;
  readonly data: FileDefinition;
  /** Where each rule starts (`Rule.line`, and the position warnings point at). */
  readonly rulePositions: readonly Position[];
  /** Problems that do not stop the file from loading: methods no registry knows. */
  readonly warnings: readonly Problem[];
}

/**
 * What a file declares that must agree across files: rule names and the seed. Gathered even from
 * a file with other problems, so a duplicate name is reported together with them.
 */
export interface Declared {
  readonly file: string;
  readonly names: readonly ({ readonly name: string; readonly index: number } & Position)[];
  readonly seed: ({ readonly value: number } & Position) | null;
}

export type ParseResult = ({ readonly doc: ScenarioDocument } | { readonly problems: readonly Problem[] }) & {
  readonly declared: Declared;
};

const EMPTY_MESSAGE = 'file is empty: expected a mapping with version: 1 and rules';

/**
 * Parses and validates one scenario document (YAML, or JSON, which is YAML). Reports every
 * problem it finds, each at its file:line:column, sorted by position.
 */
export function parseScenarioText(text: string, file: string): ParseResult {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const nothing: Declared = { file, names: [], seed: null };
  const at = (offset: number): Position => {
    const { line, col } = lines.linePos(offset);
    return { line, column: col };
  };
  if (doc.errors.length > 0) {
    return {
      declared: nothing,
      problems: doc.errors.map((e) => ({ file, ...at(e.pos[0]), path: '', message: `YAML syntax: ${e.message}` })),
    };
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    return {
      declared: nothing,
      problems: [{ file, line: 1, column: 1, path: '', message: err instanceof Error ? err.message : String(err) }],
    };
  }
  if (data === null || data === undefined)
    return { declared: nothing, problems: [{ file, line: 1, column: 1, path: '', message: EMPTY_MESSAGE }] };

  const declared = declarations(file, data, doc, lines);
  const result = fileSchema.safeParse(data, { error: fallbackMessage });
  if (!result.success) {
    const problems = result.error.issues.map((iss): Problem => {
      const atKey = iss.code === 'invalid_key' || iss.message.startsWith(UNKNOWN_KEY);
      return { file, ...locate(doc, lines, iss.path, atKey), path: formatPath(iss.path), message: iss.message };
    });
    problems.sort((a, b) => a.line - b.line || a.column - b.column);
    return { declared, problems };
  }
  const rulePositions = result.data.rules.map((_, i) => locate(doc, lines, ['rules', i]));
  const warnings = methodWarnings(result.data, data, (path) => ({ file, ...locate(doc, lines, path), path: formatPath(path) }));
  return { declared, doc: { file, data: result.data, rulePositions, warnings } };
}

/** A warning for each method that is neither registered nor common (typos are errors, see schema-match.ts). */
function methodWarnings(data: FileDefinition, raw: unknown, at: (path: DataPath) => Omit<Problem, 'message'>): Problem[] {
  const warnings: Problem[] = [];
  data.rules.forEach((rule, i) => {
    const methods = rule.match?.method ?? [];
    // A single method written as a scalar has no list index in its path.
    const rawRules = isRecord(raw) && Array.isArray(raw['rules']) ? (raw['rules'] as unknown[]) : [];
    const rawMatch = isRecord(rawRules[i]) ? rawRules[i]['match'] : undefined;
    const listed = isRecord(rawMatch) && Array.isArray(rawMatch['method']);
    methods.forEach((m, j) => {
      if (judgeMethod(m).kind !== 'unknown') return;
      const path: DataPath = listed ? ['rules', i, 'match', 'method', j] : ['rules', i, 'match', 'method'];
      warnings.push({ ...at(path), message: unknownMethodMessage(m) });
    });
  });
  return warnings;
}

/** Names and seed as written, where they are well-formed; the schema reports the rest. */
function declarations(file: string, data: unknown, doc: Document, lines: LineCounter): Declared {
  if (!isRecord(data)) return { file, names: [], seed: null };
  const names: Declared['names'][number][] = [];
  const rules = Array.isArray(data['rules']) ? (data['rules'] as unknown[]) : [];
  rules.forEach((rule, index) => {
    const name = isRecord(rule) ? rule['name'] : undefined;
    if (typeof name === 'string') names.push({ name, index, ...locate(doc, lines, ['rules', index, 'name']) });
  });
  const s = data['seed'];
  const seed = Number.isSafeInteger(s) ? { value: s as number, ...locate(doc, lines, ['seed']) } : null;
  return { file, names, seed };
}
