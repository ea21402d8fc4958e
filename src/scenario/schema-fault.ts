import { z } from 'zod';
import type { AnswerDialect, BodyTemplate, DelaySpec, FaultAction, FaultSpec } from './types.js';
import { TOKEN, intIn, isRecord, recordMessage, scalarOrMapping, strict, unit } from './schema-common.js';
import { oneOf } from './schema-choice.js';
import { FORMAT_NAMES, PRESETS, PRESET_NAMES } from '../http/dialects/presets.js';
import { parseDuration, parseRate } from './units.js';
import { grpcAnswer, replaceGrpc } from './schema-grpc.js';
import { resetSchema, truncateSchema } from './schema-cut.js';

/*
 * `fault:` — what happens to a request the rule fires for. One kind (status, replaceStatus, grpc,
 * reset, hang, throttle, truncate), optionally preceded by a delay; or a delay alone. The output is the
 * FaultSpec of types.ts, ready for the proxy.
 */

const ACTIONS = ['status', 'replaceStatus', 'grpc', 'reset', 'hang', 'throttle', 'truncate'] as const;
const ANSWER_OPTIONS = ['body', 'headers', 'retryAfter', 'format', 'code', 'message'] as const;
/** Keys that choose how a body is written; `body:` writes it itself. */
const DIALECT_KEYS = ['as', 'format', 'code', 'message'] as const;
const PLACEHOLDER = /\{(requestId|method|path)\}/;

const body = z.unknown().transform((v, ctx): BodyTemplate => {
  if (typeof v === 'string') return { contentType: 'text/plain; charset=utf-8', text: v, hasPlaceholders: PLACEHOLDER.test(v) };
  if (typeof v === 'object' && v !== null) {
    const text = JSON.stringify(v);
    return { contentType: 'application/json', text, hasPlaceholders: PLACEHOLDER.test(text) };
  }
  ctx.addIssue({ code: 'custom', message: 'must be a string, or a mapping or list (sent as JSON)' });
  return z.NEVER;
});

const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
const headers = z
  .record(
    z.string().regex(TOKEN, { error: 'must be a valid header name' }),
    z
      .union([z.string(), z.number()], { error: 'must be a string' })
      .transform(String)
      .refine((s) => HEADER_VALUE.test(s), { error: 'must not contain control characters or line breaks' }),
    { error: recordMessage('header name', 'must be a mapping of header name to value') },
  )
  .transform((h): readonly (readonly [string, string])[] => Object.entries(h));

const RETRY_AFTER_MESSAGE = 'must be a number of seconds or an HTTP date like "Wed, 21 Oct 2026 07:28:00 GMT"';
/** RFC 9110 §10.2.3: delay-seconds or an HTTP-date; emitted exactly as written. */
const retryAfter = z.unknown().transform((v, ctx): string => {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return String(v);
  if (typeof v === 'string' && (/^\d+$/.test(v) || (/[a-z]/i.test(v) && !Number.isNaN(Date.parse(v))))) return v;
  ctx.addIssue({ code: 'custom', message: RETRY_AFTER_MESSAGE });
  return z.NEVER;
});

const duration = unit(parseDuration);
const delay = scalarOrMapping(
  duration.transform((ms) => ({ min: ms, max: ms })),
  strict({ min: duration, max: duration }, 'must be a duration like 250ms or { min: 100ms, max: 2s }').superRefine((d, ctx) => {
    if (d.max < d.min)
      ctx.addIssue({ code: 'custom', path: ['max'], message: `must not be less than min (${d.min}ms), got ${d.max}ms` });
  }),
);

const hang = z.unknown().transform((v, ctx): number | null => {
  if (v === true) return null;
  try {
    if (v !== false) return parseDuration(v as string);
  } catch {
    // fall through to the one message
  }
  ctx.addIssue({ code: 'custom', message: 'must be true (until the client gives up) or a duration like 30s' });
  return z.NEVER;
});

// parseRate checks the type itself, so a number is reported as "got 64", not "got \"64\"".
const rate = unit((v) => parseRate(v as string));
const throttle = scalarOrMapping(
  // One rate slows the response body (downloads); uploads are throttled only when asked.
  rate.transform((bps) => ({ request: undefined, response: bps })),
  strict({ request: rate.optional(), response: rate.optional() }, 'must be a rate like 64KiB/s').superRefine((t, ctx) => {
    if (t.request === undefined && t.response === undefined)
      ctx.addIssue({ code: 'custom', message: 'must give request, response or both' });
  }),
);

const status = intIn(200, 599);
/** `replaceStatus: 507`, or `{ grpc: UNAVAILABLE, message, details }`. */
const replaceStatus = scalarOrMapping(status, replaceGrpc);

const asPreset = oneOf(PRESET_NAMES, 'preset');
const format = oneOf(FORMAT_NAMES, 'format');
/** An error code or message: one line of printable text. */
const line = z
  .string({ error: 'must be a string' })
  .min(1, { error: 'must not be empty' })
  .refine((s) => HEADER_VALUE.test(s), { error: 'must not contain control characters or line breaks' });

function checkDialect(f: Record<string, unknown>, ctx: z.RefinementCtx): void {
  if (f['as'] !== undefined && f['format'] !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['format'], message: 'contradictory fields: as already sets the format' });
  }
  if (f['body'] === undefined) return;
  for (const key of DIALECT_KEYS) {
    if (f[key] !== undefined)
      ctx.addIssue({
        code: 'custom',
        path: [key],
        message: `contradictory fields: body is sent as written, ${key} cannot shape it`,
      });
  }
}

function checkCombination(f: Record<string, unknown>, ctx: z.RefinementCtx): void {
  // `as: minio` alone is a status fault with the preset's status.
  const present = ACTIONS.filter(
    (k) => f[k] !== undefined || (k === 'status' && f['as'] !== undefined && f['replaceStatus'] === undefined),
  );
  const known = new Set<string>([...ACTIONS, ...ANSWER_OPTIONS, 'as', 'delay', 'phase']);
  checkDialect(f, ctx);
  if (present.length === 0 && f['delay'] === undefined && Object.keys(f).every((k) => known.has(k))) {
    ctx.addIssue({ code: 'custom', message: `empty fault: give one of ${ACTIONS.join(', ')} or delay` });
  }
  for (const extra of present.slice(1)) {
    ctx.addIssue({
      code: 'custom',
      path: [extra],
      message: `contradictory fields: ${present[0]} and ${extra} cannot be combined (one kind per fault, plus an optional delay)`,
    });
  }
  const grpcReplace = isRecord(f['replaceStatus']);
  const answers = f['status'] !== undefined || (f['replaceStatus'] !== undefined && !grpcReplace) || f['as'] !== undefined;
  for (const opt of ANSWER_OPTIONS) {
    if (f[opt] === undefined || answers) continue;
    const grpc = f['grpc'] !== undefined || grpcReplace;
    ctx.addIssue({
      code: 'custom',
      path: [opt],
      message: grpc
        ? `${opt} applies only to an HTTP status; a gRPC status takes message and details in its own mapping`
        : `${opt} applies only to status or replaceStatus`,
    });
  }
  if (grpcReplace && f['as'] !== undefined)
    ctx.addIssue({
      code: 'custom',
      path: ['as'],
      message: 'contradictory fields: as answers an HTTP status, replaceStatus a gRPC one',
    });
  if (f['phase'] !== undefined && f['delay'] === undefined) {
    ctx.addIssue({ code: 'custom', path: ['phase'], message: 'phase applies only to delay' });
  } else if (
    f['phase'] === 'response' &&
    (f['status'] !== undefined || f['grpc'] !== undefined || (f['as'] !== undefined && f['replaceStatus'] === undefined))
  ) {
    ctx.addIssue({
      code: 'custom',
      path: ['phase'],
      message: `contradictory fields: phase: response waits for the upstream, which ${f['grpc'] !== undefined ? 'grpc' : 'status'} never calls`,
    });
  }
}

export const faultSchema = strict(
  {
    status: status.optional(),
    replaceStatus: replaceStatus.optional(),
    grpc: grpcAnswer.optional(),
    body: body.optional(),
    headers: headers.optional(),
    retryAfter: retryAfter.optional(),
    as: asPreset.optional(),
    format: format.optional(),
    code: line.optional(),
    message: line.optional(),
    delay: delay.optional(),
    phase: z.enum(['request', 'response'], { error: 'must be request or response' }).optional(),
    reset: resetSchema.optional(),
    hang: hang.optional(),
    throttle: throttle.optional(),
    truncate: truncateSchema.optional(),
  },
  'must be a mapping like { status: 507 }',
)
  .superRefine((f, ctx) => (isRecord(f) ? checkCombination(f, ctx) : undefined), { when: () => true })
  .transform((f): FaultSpec => {
    const d: DelaySpec | null =
      f.delay === undefined ? null : { minMs: f.delay.min, maxMs: f.delay.max, phase: f.phase ?? 'request' };
    const preset = f.as === undefined ? null : PRESETS[f.as];
    const dialect: AnswerDialect = {
      format: preset?.format ?? f.format ?? 'problem',
      code: f.code ?? preset?.code ?? null,
      message: f.message ?? preset?.message ?? null,
      preset: f.as ?? null,
    };
    const answer = { body: f.body ?? null, dialect, headers: f.headers ?? [], retryAfter: f.retryAfter ?? null };
    let action: FaultAction | null = null;
    if (f.status !== undefined) action = { kind: 'status', status: f.status, ...answer };
    else if (preset !== null && f.replaceStatus === undefined) action = { kind: 'status', status: preset.status, ...answer };
    else if (typeof f.replaceStatus === 'number') action = { kind: 'replaceStatus', status: f.replaceStatus, ...answer };
    else if (f.replaceStatus !== undefined) action = { kind: 'replaceStatus', ...f.replaceStatus };
    else if (f.grpc !== undefined) action = { kind: 'grpc', ...f.grpc };
    else if (f.reset !== undefined) action = { kind: 'reset', ...f.reset };
    else if (f.hang !== undefined) action = { kind: 'hang', durationMs: f.hang };
    else if (f.throttle !== undefined)
      action = { kind: 'throttle', requestBps: f.throttle.request ?? null, responseBps: f.throttle.response ?? null };
    else if (f.truncate !== undefined) action = { kind: 'truncate', ...f.truncate };
    return { delay: d, action, kind: action?.kind ?? 'delay' };
  });
