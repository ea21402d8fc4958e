import { LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import type { Problem } from '../errors.js';
import { ruleSchema, type RuleDefinition } from '../scenario/schema.js';
import { bool, fallbackMessage, intIn, strict, unit, UNKNOWN_KEY } from '../scenario/schema-common.js';
import { formatPath, locate } from '../scenario/positions.js';
import { parseDuration } from '../scenario/units.js';
import type { ScenarioDocument } from '../scenario/parse.js';

/** Where a session's problems point: `<session>:3:17: rules[0].fault.status: ...`. */
const SESSION_FILE = '<session>';

/** How long a session lives when the request gives no `ttl`, and the bounds a `ttl` must keep. */
const DEFAULT_TTL_MS = 10 * 60_000;
const MIN_TTL_MS = 1_000;
const MAX_TTL_MS = 24 * 60 * 60_000;

const TTL_MESSAGE = `must be a duration from 1s to 24h, like 30s or 10m`;

const sessionSchema = strict(
  {
    rules: z.array(ruleSchema, { error: 'must be a list of rules (the same rules as in a scenario file)' }),
    seed: intIn(0, 0xffffffff).optional(),
    ttl: unit(parseDuration)
      .refine((ms) => ms >= MIN_TTL_MS && ms <= MAX_TTL_MS, { error: TTL_MESSAGE })
      .optional(),
    isolate: bool.optional(),
  },
  'must be a JSON object with rules (and optionally seed, ttl, isolate)',
);

/** A validated `POST /sessions` body: a one-document scenario plus the session's own settings. */
export interface SessionRequest {
  readonly doc: ScenarioDocument;
  /** The seed given, or null (the session then draws one and reports it). */
  readonly seed: number | null;
  readonly ttlMs: number;
  readonly isolate: boolean;
}

/**
 * Parses and validates a `POST /sessions` body exactly as a scenario file is validated (the same
 * rule schema; JSON is YAML, so every problem has a line and column in the body as sent).
 */
export function parseSessionRequest(text: string): SessionRequest | { readonly problems: readonly Problem[] } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number): { line: number; column: number } => {
    const { line, col } = lines.linePos(offset);
    return { line, column: col };
  };
  if (doc.errors.length > 0)
    return {
      problems: doc.errors.map((e) => ({ file: SESSION_FILE, ...at(e.pos[0]), path: '', message: `syntax: ${e.message}` })),
    };
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    return { problems: [{ file: SESSION_FILE, line: 1, column: 1, path: '', message: (err as Error).message }] };
  }
  const result = sessionSchema.safeParse(data ?? undefined, { error: fallbackMessage });
  const problems: Problem[] = [];
  if (!result.success) {
    for (const iss of result.error.issues) {
      const atKey = iss.code === 'invalid_key' || iss.message.startsWith(UNKNOWN_KEY);
      problems.push({
        file: SESSION_FILE,
        ...locate(doc, lines, iss.path, atKey),
        path: formatPath(iss.path),
        message: iss.message,
      });
    }
  } else {
    // Names are unique within a session, as within a rule set.
    const first = new Map<string, number>();
    result.data.rules.forEach((r, i) => {
      const prev = first.get(r.name);
      if (prev === undefined) first.set(r.name, i);
      else
        problems.push({
          file: SESSION_FILE,
          ...locate(doc, lines, ['rules', i, 'name']),
          path: `rules[${i}].name`,
          message: `duplicate rule name "${r.name}" (first defined at rules[${prev}])`,
        });
    });
  }
  if (problems.length > 0 || !result.success)
    return { problems: problems.sort((a, b) => a.line - b.line || a.column - b.column) };
  const s = result.data;
  const rules: RuleDefinition[] = s.rules;
  const rulePositions = rules.map((_, i) => locate(doc, lines, ['rules', i]));
  return {
    doc: {
      file: SESSION_FILE,
      data: { version: 1, seed: s.seed, headerFaults: false, marker: true, dryRun: false, rules },
      rulePositions,
      warnings: [],
    },
    seed: s.seed ?? null,
    ttlMs: s.ttl ?? DEFAULT_TTL_MS,
    isolate: s.isolate ?? true,
  };
}
