import { z } from 'zod';
import { judgeMethod } from './methods.js';
import { grpcMatch } from './schema-grpc.js';
import { TOKEN, isRecord, recordMessage, regexProblem, strict, valueCondition, type RegexSpec } from './schema-common.js';

/*
 * `match:` — which requests a rule is about. Every given condition must hold; an empty (or absent)
 * match matches every request. The output is plain data; matchers.ts turns it into one function.
 */

const METHOD_MESSAGE = 'must be an HTTP method like GET, or a list of them';
const method = z
  .string({ error: METHOD_MESSAGE })
  .regex(TOKEN, { error: METHOD_MESSAGE })
  .transform((m) => m.toUpperCase());

const PATH_MESSAGE = 'must be a path glob starting with "/", like /files/** (or a list of them)';
const pathGlob = z.string({ error: PATH_MESSAGE }).startsWith('/', { error: PATH_MESSAGE });

/** `x` or `[x, y]`, always a non-empty list afterwards. */
function oneOrMany<T>(item: z.ZodType<T>, message: string) {
  return z.union([z.array(item).min(1), item.transform((v) => [v])], { error: message }).transform((v): readonly T[] => v);
}

/** `pathRegex: ^/v\d+/` — a plain source (no slashes needed); `/source/flags` also accepted. */
const pathRegex = z.string({ error: 'must be a regular expression like ^/v\\d+/' }).transform((v, ctx): RegexSpec => {
  const literal = /^\/(.+)\/([a-z]*)$/s.exec(v);
  // A path regex naturally starts with a slash, so only a trailing /flags makes it a literal.
  const spec =
    literal !== null && literal[2] !== '' ? { source: literal[1] ?? '', flags: literal[2] ?? '' } : { source: v, flags: '' };
  const problem = regexProblem(spec.source, spec.flags);
  if (problem !== null) {
    ctx.addIssue({ code: 'custom', message: problem });
    return z.NEVER;
  }
  return spec;
});

const headerName = z
  .string()
  .regex(TOKEN, { error: 'must be a valid header name' })
  .transform((n) => n.toLowerCase());

export const matchSchema = strict(
  {
    method: z.preprocess(methodTypos, oneOrMany(method, METHOD_MESSAGE)).optional(),
    path: oneOrMany(pathGlob, PATH_MESSAGE).optional(),
    pathRegex: pathRegex.optional(),
    headers: z
      .record(headerName, valueCondition, {
        error: recordMessage('header name', 'must be a mapping of header name to condition'),
      })
      .optional(),
    query: z.record(z.string(), valueCondition, { error: 'must be a mapping of query parameter to condition' }).optional(),
    grpc: grpcMatch.optional(),
  },
  'must be a mapping of conditions (method, path, pathRegex, headers, query, grpc)',
)
  .superRefine(
    (v, ctx) => {
      if (!isRecord(v)) return;
      if (v['path'] !== undefined && v['pathRegex'] !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['pathRegex'], message: 'contradictory fields: give path or pathRegex, not both' });
      }
      for (const other of ['path', 'pathRegex']) {
        if (v['grpc'] !== undefined && v[other] !== undefined)
          ctx.addIssue({
            code: 'custom',
            path: [other],
            message: `contradictory fields: grpc already gives the path (/service/method)`,
          });
      }
    },
    { when: () => true },
  )
  // `grpc: { service, method }` is the path `/service/method`: compiled once, as any path.
  .transform(({ grpc, ...rest }) => (grpc === undefined ? rest : { ...rest, path: [grpc] as readonly string[] }));

/** A method a couple of edits from a known one is a typo: the rule would never fire (see methods.ts). */
function methodTypos(raw: unknown, ctx: z.RefinementCtx): unknown {
  const check = (m: unknown, path: number[]): void => {
    if (typeof m !== 'string' || !TOKEN.test(m)) return;
    const verdict = judgeMethod(m.toUpperCase());
    if (verdict.kind === 'typo')
      ctx.addIssue({ code: 'custom', path, message: `unknown HTTP method "${m}" (did you mean "${verdict.guess}"?)` });
  };
  if (Array.isArray(raw)) raw.forEach((m, i) => check(m, [i]));
  else check(raw, []);
  return raw;
}

export type MatchDefinition = z.output<typeof matchSchema>;
