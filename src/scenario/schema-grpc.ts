import { z } from 'zod';
import { closest, distance } from 'fastest-levenshtein';
import { GRPC_CODES, statusDetailsCode } from '../http/dialects/grpc.js';
import type { GrpcAnswer } from './types.js';
import { scalarOrMapping, strict } from './schema-common.js';

/*
 * The gRPC parts of a scenario: a gRPC status by name or number (`grpc:` faults and
 * `replaceStatus: { grpc: ... }`) and `match: { grpc: { service, method } }`. The cut points of
 * `truncate` / `reset` (after N gRPC messages, among others) are schema-cut.ts's.
 */

const STATUS_MESSAGE = 'must be a gRPC status: a name like RESOURCE_EXHAUSTED or a number 0-16';

/** `RESOURCE_EXHAUSTED`, `resource_exhausted` or `8`, as its number. */
const grpcStatus = z.unknown().transform((v, ctx): number => {
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < GRPC_CODES.length) return v;
  if (typeof v !== 'string') {
    ctx.addIssue({ code: 'custom', message: STATUS_MESSAGE });
    return z.NEVER;
  }
  const name = v.trim().toUpperCase();
  const code = (GRPC_CODES as readonly string[]).indexOf(name);
  if (code !== -1) return code;
  const guess = closest(name, GRPC_CODES);
  const d = distance(name, guess);
  const hint =
    d <= 3 && d < name.length / 2 ? `did you mean "${guess}"?` : `expected a number 0-16 or one of: ${GRPC_CODES.join(', ')}`;
  ctx.addIssue({ code: 'custom', message: `unknown gRPC status "${v}" (${hint})` });
  return z.NEVER;
});

/** `grpc-message`: any text; it is percent-encoded on the wire. */
const message = z.string({ error: 'must be a string' }).min(1, { error: 'must not be empty' });

/** `grpc-status-details-bin`: base64 (padded or not), as gRPC's binary headers are, of a google.rpc.Status. */
const details = z
  .string({ error: 'must be a base64 string (an encoded google.rpc.Status)' })
  .refine((s) => /^[A-Za-z0-9+/]+={0,2}$/.test(s) && s.length % 4 !== 1 && statusDetailsCode(Buffer.from(s, 'base64')) !== null, {
    error: 'must be a base64 string (an encoded google.rpc.Status)',
  });

/**
 * A server builds `grpc-status` and the details from one Status: their codes agree (grpc-java's
 * StatusProto refuses a mismatch; grpc-go takes the code from the details).
 */
function sameCode(status: unknown, given: string | undefined, ctx: z.RefinementCtx): void {
  if (typeof status !== 'number' || given === undefined) return;
  const code = statusDetailsCode(Buffer.from(given, 'base64'));
  if (code === null || code === status) return;
  ctx.addIssue({
    code: 'custom',
    path: ['details'],
    message: `the google.rpc.Status in details has code ${code}${GRPC_CODES[code] === undefined ? '' : ` (${GRPC_CODES[code]})`}, but the status is ${status} (${GRPC_CODES[status]}): a gRPC server sends one code in both`,
  });
}

const ANSWER_MESSAGE = 'must be a gRPC status like RESOURCE_EXHAUSTED, or { status, message, details }';

/** `grpc: UNAVAILABLE` or `grpc: { status: RESOURCE_EXHAUSTED, message: "quota exceeded", details: <base64> }`. */
export const grpcAnswer = scalarOrMapping(
  grpcStatus.transform((grpcStatus): GrpcAnswer => ({ grpcStatus, message: null, details: null })),
  strict({ status: grpcStatus, message: message.optional(), details: details.optional() }, ANSWER_MESSAGE)
    .superRefine((g, ctx) => sameCode(g.status, g.details, ctx))
    .transform((g): GrpcAnswer => ({ grpcStatus: g.status, message: g.message ?? null, details: g.details ?? null })),
);

/** `replaceStatus: { grpc: UNAVAILABLE, message: ..., details: ... }`: the upstream did the work, the client gets this status. */
export const replaceGrpc = strict(
  { grpc: grpcStatus, message: message.optional(), details: details.optional() },
  'must be an HTTP status like 507, or { grpc: <status>, message, details }',
)
  .superRefine((g, ctx) => sameCode(g.grpc, g.details, ctx))
  .transform((g): GrpcAnswer => ({ grpcStatus: g.grpc, message: g.message ?? null, details: g.details ?? null }));

const SERVICE = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*$/;
const METHOD = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * `match: { grpc: { service: pkg.Svc, method: Get } }`: the request path gRPC gives a call,
 * `/pkg.Svc/Get` (any method of the service without `method`), as a path glob for the path matcher.
 */
export const grpcMatch = strict(
  {
    service: z
      .string({ error: 'must be a fully qualified service name like pkg.Service' })
      .regex(SERVICE, { error: 'must be a fully qualified service name like pkg.Service' }),
    method: z
      .string({ error: 'must be a method name like GetObject' })
      .regex(METHOD, { error: 'must be a method name like GetObject' })
      .optional(),
  },
  'must be a mapping like { service: pkg.Service, method: Get }',
).transform((g): string => `/${g.service}/${g.method ?? '*'}`);
