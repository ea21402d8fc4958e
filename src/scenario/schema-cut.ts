import { z } from 'zod';
import { closest, distance } from 'fastest-levenshtein';
import type { CutPoint, FaultAction } from './types.js';
import { bool, intIn, isRecord, scalarOrMapping, strict, unit } from './schema-common.js';
import { H2_ERROR_CODE_NAMES, H2_INTERNAL_ERROR, h2ErrorCode } from '../http/h2-error-codes.js';
import { parseSize } from './units.js';

/*
 * How `reset` and `truncate` break an exchange off: where (a cut point: after N bytes, N gRPC
 * messages or N Server-Sent Events) and how (the HTTP/2 error code of the RST_STREAM, or a GOAWAY
 * for the whole connection with `connection: true`).
 *
 *   reset: true | { afterBytes | afterMessages | afterEvents: N, code, connection }  (each optional)
 *   truncate: 1KiB | { bytes | afterMessages | afterEvents: N, code }  (one cut point required)
 */

/** An HTTP/2 error code (RFC 9113 §7) by name or number, for the RST_STREAM or GOAWAY of a reset or cut. */
const h2Code = z.unknown().transform((v, ctx): number => {
  const code = h2ErrorCode(v);
  if (code !== null) return code;
  const names = H2_ERROR_CODE_NAMES.join(', ');
  if (typeof v !== 'string') {
    ctx.addIssue({ code: 'custom', message: `must be an HTTP/2 error code: a number 0-13 or one of ${names}` });
    return z.NEVER;
  }
  const guess = closest(v.toUpperCase(), H2_ERROR_CODE_NAMES);
  const hint = distance(v.toUpperCase(), guess) <= 2 ? `did you mean "${guess}"?` : `expected a number 0-13 or one of: ${names}`;
  ctx.addIssue({ code: 'custom', message: `unknown HTTP/2 error code "${v}" (${hint})` });
  return z.NEVER;
});

const size = unit(parseSize).optional();
const count = intIn(0, Number.MAX_SAFE_INTEGER, 'must be an integer >= 0').optional();

/** Run even when a key failed: every problem in a file is reported at once. */
const ALWAYS = { when: () => true };

/** At most one cut point among `keys` (exactly one when `required`). */
function oneCutPoint(keys: readonly string[], required: boolean, message: string) {
  return (c: Readonly<Record<string, unknown>>, ctx: z.RefinementCtx): void => {
    if (!isRecord(c)) return;
    const given = keys.filter((k) => c[k] !== undefined);
    if (required && given.length === 0) ctx.addIssue({ code: 'custom', message });
    for (const extra of given.slice(1))
      ctx.addIssue({ code: 'custom', path: [extra], message: `contradictory fields: give one of ${given.join(', ')}` });
  };
}

function pointOf(bytes: number | undefined, messages: number | undefined, events: number | undefined): CutPoint | null {
  if (messages !== undefined) return { unit: 'messages', count: messages };
  if (events !== undefined) return { unit: 'events', count: events };
  return bytes === undefined ? null : { unit: 'bytes', count: bytes };
}

/** A reset: at once (`after: null`) or after a cut point; `code` and `connection` for HTTP/2. */
type ResetCut = Omit<Extract<FaultAction, { kind: 'reset' }>, 'kind'>;

const RESET_MESSAGE =
  'must be true or { afterBytes | afterMessages | afterEvents: N, code: CANCEL, connection: true } (each optional)';

/** `reset: true`, or `{ afterBytes | afterMessages | afterEvents: N, code, connection }`. */
export const resetSchema = scalarOrMapping(
  z
    .literal(true, { error: RESET_MESSAGE })
    .transform((): ResetCut => ({ after: null, code: H2_INTERNAL_ERROR, connection: false })),
  strict(
    { afterBytes: size, afterMessages: count, afterEvents: count, code: h2Code.optional(), connection: bool.optional() },
    RESET_MESSAGE,
  )
    .superRefine(oneCutPoint(['afterBytes', 'afterMessages', 'afterEvents'], false, RESET_MESSAGE), ALWAYS)
    .transform((r): ResetCut => ({
      after: pointOf(r.afterBytes, r.afterMessages, r.afterEvents),
      code: r.code ?? H2_INTERNAL_ERROR,
      connection: r.connection ?? false,
    })),
);

/** A truncation: after a cut point; `code` for the RST_STREAM that ends an HTTP/2 stream. */
type TruncateCut = Omit<Extract<FaultAction, { kind: 'truncate' }>, 'kind'>;

const TRUNCATE_MESSAGE =
  'must be a size like 1KiB, or one of { bytes: N }, { afterMessages: N } (gRPC) or { afterEvents: N } (Server-Sent Events), with an optional code';

/** `truncate: 1KiB`, or `{ bytes | afterMessages | afterEvents: N, code }`. */
export const truncateSchema = scalarOrMapping(
  unit(parseSize).transform((n): TruncateCut => ({ after: { unit: 'bytes', count: n }, code: H2_INTERNAL_ERROR })),
  strict({ bytes: size, afterMessages: count, afterEvents: count, code: h2Code.optional() }, TRUNCATE_MESSAGE)
    .superRefine(oneCutPoint(['bytes', 'afterMessages', 'afterEvents'], true, TRUNCATE_MESSAGE), ALWAYS)
    .transform((t): TruncateCut => ({
      after: pointOf(t.bytes, t.afterMessages, t.afterEvents) ?? { unit: 'bytes', count: 0 },
      code: t.code ?? H2_INTERNAL_ERROR,
    })),
);
