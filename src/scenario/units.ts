import ms from 'ms';
import bytes from 'bytes-iec';

/*
 * The one place scenario units are parsed: durations, sizes, rates, probabilities.
 * Each parser accepts the YAML scalar as given (string or number) and throws a plain Error whose
 * message says what was expected; the schema layer turns that message into a positioned Problem.
 *
 * Sizes: IEC binary units (KiB, MiB, GiB, ...) are 1024-based; SI units (kB/KB, MB, GB, ...) are
 * 1000-based, as IEC 80000-13 defines them (parsing by `bytes-iec` in its `metric` mode, which is
 * case-insensitive). A bare number is bytes. Write `10MiB` when you mean 10 * 1024 * 1024.
 */

const DURATION_HINT = 'a duration like 250ms or 2m';
const SIZE_HINT = 'a size like 512, 64KiB or 10MiB';
const RATE_HINT = 'a rate like 64KiB/s';
const PROBABILITY_HINT = 'a probability like 5% or 0.05';

/** How a bad value is quoted in a message: strings and structures as JSON, the rest as written. */
function show(v: unknown): string {
  return typeof v === 'string' || (typeof v === 'object' && v !== null) ? JSON.stringify(v) : String(v);
}

/** Milliseconds from `250ms`, `1.5s`, `2m`, `1h` (a number is already milliseconds). Non-negative. */
export function parseDuration(v: string | number): number {
  let n: number | undefined;
  if (typeof v === 'number') n = v;
  // `ms` returns undefined for text it does not understand, and would accept spaces and signs.
  else if (typeof v === 'string' && /^\d+(\.\d+)?\s*[a-z]*$/i.test(v.trim())) n = ms(v.trim() as ms.StringValue);
  if (n === undefined || !Number.isFinite(n) || n < 0) throw new Error(`expected ${DURATION_HINT}, got ${show(v)}`);
  return Math.round(n);
}

/** Bytes from `512`, `64KiB`, `10MiB` (1024-based) or `10MB` (1000-based). Non-negative integer. */
export function parseSize(v: string | number): number {
  let n: number | null = null;
  if (typeof v === 'number') n = v;
  else if (typeof v === 'string' && /^\d+(\.\d+)?\s*[a-z]*$/i.test(v.trim())) n = bytes.parse(v.trim(), { mode: 'metric' });
  if (n === null || !Number.isFinite(n) || n < 0) throw new Error(`expected ${SIZE_HINT}, got ${show(v)}`);
  return Math.floor(n);
}

/** Bytes per second from `64KiB/s` (also `/sec`); must be positive. */
export function parseRate(v: string): number {
  const m = typeof v === 'string' ? /^(.+?)\s*\/\s*(s|sec|second)$/i.exec(v.trim()) : null;
  let n = 0;
  if (m?.[1] !== undefined) {
    try {
      n = parseSize(m[1]);
    } catch {
      n = 0;
    }
  }
  if (n <= 0) throw new Error(`expected ${RATE_HINT}, got ${show(v)}`);
  return n;
}

/** 0..1 from `5%` or `0.05`. */
export function parseProbability(v: string | number): number {
  let n = Number.NaN;
  if (typeof v === 'number') n = v;
  else if (typeof v === 'string') {
    const t = v.trim();
    if (/^\d+(\.\d+)?%$/.test(t)) n = Number(t.slice(0, -1)) / 100;
    else if (/^\d*\.?\d+$/.test(t)) n = Number(t);
  }
  if (!Number.isFinite(n) || n < 0 || n > 1) {
    throw new Error(`expected ${PROBABILITY_HINT} (between 0 and 1), got ${show(v)}`);
  }
  return n;
}
