import type { AnswerDialect, FaultAction, FaultSpec } from '../scenario/types.js';
import { H2_INTERNAL_ERROR } from '../http/h2-error-codes.js';
import { parseDuration, parseSize } from '../scenario/units.js';

/** The request header that asks for a fault (only with `headerFaults: true`); never forwarded. */
export const FAULT_HEADER = 'x-faultline-fault';

/** Parsed header values, so a load test sending the same header pays the parse once. Bounded. */
const cache = new Map<string, FaultSpec | string>();
const CACHE_MAX = 256;
/** The default dialect of an injected status: problem+json. */
export const PROBLEM: AnswerDialect = { format: 'problem', code: null, message: null, preset: null };

/**
 * Parse `x-faultline-fault: status=507, delay=200ms` (items separated by `,` or `;`): `status=N`,
 * `delay=D`, `reset`, `hang[=D]`, `truncate=SIZE`. Returns the fault, or a message saying what is
 * wrong (answered as 400 problem+json).
 */
export function parseFaultHeader(value: string | string[] | undefined): FaultSpec | string {
  const text = Array.isArray(value) ? value.join(',') : (value ?? '');
  const hit = cache.get(text);
  if (hit !== undefined) return hit;
  const parsed = parse(text);
  if (cache.size >= CACHE_MAX) cache.clear();
  cache.set(text, parsed);
  return parsed;
}

function parse(text: string): FaultSpec | string {
  let delayMs: number | null = null;
  let action: FaultAction | null = null;
  const items = text
    .split(/[,;]/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (items.length === 0) return `${FAULT_HEADER} is empty; expected e.g. "status=507" or "delay=200ms, status=503"`;
  for (const item of items) {
    const eq = item.indexOf('=');
    const name = (eq === -1 ? item : item.slice(0, eq)).trim().toLowerCase();
    const arg = eq === -1 ? null : item.slice(eq + 1).trim();
    let next: FaultAction;
    try {
      if (name === 'delay') {
        if (arg === null) return `${FAULT_HEADER}: delay needs a duration, e.g. delay=200ms`;
        delayMs = parseDuration(arg);
        continue;
      }
      if (name === 'status') {
        const status = Number(arg);
        if (arg === null || !Number.isInteger(status) || status < 200 || status > 599)
          return `${FAULT_HEADER}: status must be an integer 200-599, got "${arg ?? ''}"`;
        next = { kind: 'status', status, body: null, dialect: PROBLEM, headers: [], retryAfter: null };
      } else if (name === 'reset') {
        next = {
          kind: 'reset',
          after: arg === null ? null : { unit: 'bytes', count: parseSize(arg) },
          code: H2_INTERNAL_ERROR,
          connection: false,
        };
      } else if (name === 'hang') {
        next = { kind: 'hang', durationMs: arg === null ? null : parseDuration(arg) };
      } else if (name === 'truncate') {
        if (arg === null) return `${FAULT_HEADER}: truncate needs a size, e.g. truncate=1KiB`;
        next = { kind: 'truncate', after: { unit: 'bytes', count: parseSize(arg) }, code: H2_INTERNAL_ERROR };
      } else {
        return `${FAULT_HEADER}: unknown fault "${name}"; expected status, delay, reset, hang or truncate`;
      }
    } catch (err) {
      return `${FAULT_HEADER}: ${name}: ${(err as Error).message}`;
    }
    if (action !== null)
      return `${FAULT_HEADER}: "${action.kind}" and "${next.kind}" contradict each other; combine one of them with delay`;
    action = next;
  }
  const delay = delayMs === null ? null : { minMs: delayMs, maxMs: delayMs, phase: 'request' as const };
  return { delay, action, kind: action === null ? 'delay' : action.kind };
}
