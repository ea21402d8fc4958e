/*
 * The one place units are parsed: durations, sizes, rates, probabilities (scenario files, settings,
 * the x-faultline-fault header, the admin API). Each parser accepts the value as given (string or
 * number) and throws a plain Error whose message says what was expected; the schema layer turns
 * that message into a positioned Problem.
 *
 * Exactly the spellings docs/scenarios.md lists under "Units" are accepted, case-sensitively:
 * a misread unit is worse than a refused one. `10Mb/s` is the classic trap (network people mean
 * megabits, storage people megabytes: a factor of 8), so a lowercase `b` is refused with both
 * readings spelled out, and bits are written `bit` (`10Mbit/s`).
 */

const DURATION_HINT = 'a duration like 250ms, 1.5s, 2m or 1h';
const SIZE_HINT = 'a size like 512, 64KiB or 10MiB';
const RATE_HINT = 'a rate like 64KiB/s or 10Mbit/s';
const PROBABILITY_HINT = 'a probability like 5% or 0.05';

/** Milliseconds per accepted duration unit. */
const DURATION_UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Bytes per accepted size unit: IEC units 1024-based, SI units 1000-based (IEC 80000-13). */
const SIZE_UNITS: Readonly<Record<string, number>> = {
  B: 1,
  kB: 1e3,
  KB: 1e3,
  MB: 1e6,
  GB: 1e9,
  TB: 1e12,
  KiB: 1024,
  MiB: 1024 ** 2,
  GiB: 1024 ** 3,
  TiB: 1024 ** 4,
};

/** Bits per second per accepted bit-rate unit (SI, as link speeds are given); rates are kept in bytes. */
const BIT_RATE_UNITS: Readonly<Record<string, number>> = { bit: 1, kbit: 1e3, Mbit: 1e6, Gbit: 1e9 };

/** Spellings people write for durations, with their length in ms: refused, with the accepted form suggested. */
const DURATION_WORDS: Readonly<Record<string, number>> = {
  msec: 1,
  msecs: 1,
  millisecond: 1,
  milliseconds: 1,
  sec: 1000,
  secs: 1000,
  second: 1000,
  seconds: 1000,
  min: 60_000,
  mins: 60_000,
  minute: 60_000,
  minutes: 60_000,
  hr: 3_600_000,
  hrs: 3_600_000,
  hour: 3_600_000,
  hours: 3_600_000,
  d: 86_400_000,
  day: 86_400_000,
  days: 86_400_000,
  w: 604_800_000,
  week: 604_800_000,
  weeks: 604_800_000,
};

const NUMBER_AND_UNIT = /^(\d+(?:\.\d+)?) ?([A-Za-z]*)$/;

/** How a bad value is quoted in a message: strings and structures as JSON, the rest as written. */
function show(v: unknown): string {
  return typeof v === 'string' || (typeof v === 'object' && v !== null) ? JSON.stringify(v) : String(v);
}

function split(v: unknown): { n: number; unit: string } | null {
  if (typeof v !== 'string') return null;
  const m = NUMBER_AND_UNIT.exec(v.trim());
  return m === null ? null : { n: Number(m[1]), unit: m[2] ?? '' };
}

/** `n` ms in the largest accepted unit that writes it without a fraction, e.g. 336h. */
function durationText(ms: number): string {
  for (const unit of ['h', 'm', 's'] as const) {
    const per = DURATION_UNITS[unit] as number;
    if (ms >= per && ms % per === 0) return `${ms / per}${unit}`;
  }
  return `${ms}ms`;
}

/** Milliseconds from `250ms`, `1.5s`, `2m`, `1h` (a bare number is already milliseconds). Non-negative. */
export function parseDuration(v: string | number): number {
  if (typeof v === 'number') {
    if (Number.isFinite(v) && v >= 0) return Math.round(v);
    throw new Error(`expected ${DURATION_HINT}, got ${show(v)}`);
  }
  const p = split(v);
  if (p !== null && p.unit === '') return Math.round(p.n);
  const per = p === null ? undefined : DURATION_UNITS[p.unit];
  if (p !== null && per !== undefined) return Math.round(p.n * per);
  const word = p === null ? undefined : (DURATION_WORDS[p.unit.toLowerCase()] ?? DURATION_UNITS[p.unit.toLowerCase()]);
  if (p !== null && word !== undefined)
    throw new Error(
      `${show(v)} is not a duration faultline reads: write ${durationText(Math.round(p.n * word))} (units: ms, s, m, h)`,
    );
  throw new Error(`expected ${DURATION_HINT}, got ${show(v)}`);
}

/** Bytes from `512`, `512B`, `64KiB`, `10MiB` (1024-based) or `10MB` (1000-based). Non-negative integer. */
export function parseSize(v: string | number): number {
  if (typeof v === 'number') {
    if (Number.isFinite(v) && v >= 0) return Math.floor(v);
    throw new Error(`expected ${SIZE_HINT}, got ${show(v)}`);
  }
  const p = split(v);
  if (p !== null && p.unit === '') return Math.floor(p.n);
  const per = p === null ? undefined : SIZE_UNITS[p.unit];
  if (p !== null && per !== undefined) return Math.floor(p.n * per);
  if (p !== null) explainSizeUnit(p.n, p.unit, v);
  throw new Error(`expected ${SIZE_HINT}, got ${show(v)}`);
}

/** A unit that is a size in the wrong case or in bits: say which reading to write. */
function explainSizeUnit(n: number, unit: string, v: string): void {
  const bits = bitReading(unit);
  if (bits !== null) {
    throw new Error(
      `${show(v)} is ambiguous (a lowercase b means bits): write ${n}${bits.bytes} for ${n} ${bits.bytesName} (${formatNumber(n * bits.bitsPer)} bytes); ${n} ${bits.bitsName} would be ${formatNumber((n * bits.bitsPer) / 8)} bytes`,
    );
  }
  const same = Object.keys(SIZE_UNITS).find((u) => u.toLowerCase() === unit.toLowerCase());
  if (same !== undefined)
    throw new Error(`${show(v)}: write ${n}${same} (size units are case-sensitive: ${Object.keys(SIZE_UNITS).join(', ')})`);
}

interface BitReading {
  /** The byte unit it could mean (`MB`), its name (`10 megabytes (10000000 bytes)`). */
  readonly bytes: string;
  readonly bytesName: string;
  /** `megabits`, and bits per unit. */
  readonly bitsName: string;
  readonly bitsPer: number;
  /** The accepted bit unit (`Mbit`), for rates. */
  readonly bitUnit: string;
}

const PREFIXES: Readonly<Record<string, { name: string; si: number; iec: number; symbol: string }>> = {
  k: { name: 'kilo', si: 1e3, iec: 1024, symbol: 'k' },
  m: { name: 'mega', si: 1e6, iec: 1024 ** 2, symbol: 'M' },
  g: { name: 'giga', si: 1e9, iec: 1024 ** 3, symbol: 'G' },
  t: { name: 'tera', si: 1e12, iec: 1024 ** 4, symbol: 'T' },
};

/** `Mb`, `kb`, `mb`, `Mbit`, `Mbps`, `Kib`...: a unit that reads as bits. null for anything else. */
function bitReading(unit: string): BitReading | null {
  const m = /^([kKmMgGtT])(i?)(b|bit|bits|bps)$/.exec(unit);
  if (m === null) return null;
  const prefix = PREFIXES[(m[1] as string).toLowerCase()];
  if (prefix === undefined) return null;
  const iec = m[2] === 'i';
  const bytes = iec ? `${prefix.symbol.toUpperCase()}iB` : prefix.symbol === 'k' ? 'kB' : `${prefix.symbol}B`;
  const name = iec ? `${prefix.name.slice(0, 2)}bi` : prefix.name;
  return {
    bytes,
    bytesName: `${name}bytes`,
    bitsName: `${name}bits`,
    bitsPer: iec ? prefix.iec : prefix.si,
    bitUnit: iec ? '' : `${prefix.symbol}bit`,
  };
}

function formatNumber(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(2).replace(/\.?0+$/, '');
}

/** Bytes per second from `64KiB/s`, `1MB/s`, or bits per second `10Mbit/s` (1 250 000 bytes/s); positive. */
export function parseRate(v: string): number {
  const m = typeof v === 'string' ? /^(.+?) ?\/ ?(\w+)$/.exec(v.trim()) : null;
  if (m === null) throw new Error(`expected ${RATE_HINT}, got ${show(v)}`);
  const [, amount, per] = m as unknown as [string, string, string];
  if (per !== 's') {
    if (/^(sec|secs|second)$/i.test(per)) throw new Error(`${show(v)}: write ${amount}/s (a rate is per second, written /s)`);
    throw new Error(`expected ${RATE_HINT}, got ${show(v)}`);
  }
  const p = split(amount);
  const bitsPer = p === null ? undefined : BIT_RATE_UNITS[p.unit];
  if (p !== null && bitsPer !== undefined) {
    const n = Math.floor((p.n * bitsPer) / 8);
    if (n > 0) return n;
    throw new Error(`expected ${RATE_HINT} (at least 8bit/s), got ${show(v)}`);
  }
  const bits = p === null ? null : bitReading(p.unit);
  if (p !== null && bits !== null && bits.bitUnit !== '' && p.unit !== bits.bitUnit) {
    const bytesPerS = (p.n * bits.bitsPer) / 8;
    throw new Error(
      `${show(v)} is ambiguous (a lowercase b means bits): write ${p.n}${bits.bitUnit}/s for ${p.n} ${bits.bitsName} per second (${formatNumber(bytesPerS)} bytes/s) or ${p.n}${bits.bytes}/s for ${p.n} ${bits.bytesName} per second (${formatNumber(p.n * bits.bitsPer)} bytes/s)`,
    );
  }
  let n: number;
  try {
    n = parseSize(amount);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new Error(why.startsWith('expected') ? `expected ${RATE_HINT}, got ${show(v)}` : why.replace(show(amount), show(v)), {
      cause: err,
    });
  }
  if (n <= 0) throw new Error(`expected ${RATE_HINT} (more than zero), got ${show(v)}`);
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
