import { readFileSync } from 'node:fs';
import { describe, it, expect } from 'vitest';
import { parseDuration, parseProbability, parseRate, parseSize } from '../../src/scenario/units.js';

describe('units', () => {
  it('parses durations to milliseconds', () => {
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('2m')).toBe(120_000);
    expect(parseDuration('1.5s')).toBe(1500);
    expect(parseDuration('1h')).toBe(3_600_000);
    expect(parseDuration(40)).toBe(40);
    expect(parseDuration('40')).toBe(40);
    expect(parseDuration('250 ms')).toBe(250);
    for (const bad of ['x', '-1s', '', '2 fortnights', '1y', -5]) {
      expect(() => parseDuration(bad)).toThrow(/expected a duration like 250ms, 1.5s, 2m or 1h, got/);
    }
    expect(() => parseDuration('x')).toThrow('expected a duration like 250ms, 1.5s, 2m or 1h, got "x"');
  });

  it('refuses the spellings it does not document, suggesting the accepted one', () => {
    const units = '(units: ms, s, m, h)';
    expect(() => parseDuration('5 seconds')).toThrow(`"5 seconds" is not a duration faultline reads: write 5s ${units}`);
    expect(() => parseDuration('2 weeks')).toThrow(`"2 weeks" is not a duration faultline reads: write 336h ${units}`);
    expect(() => parseDuration('1.5 days')).toThrow(`write 36h ${units}`);
    expect(() => parseDuration('90 min')).toThrow(`write 90m ${units}`);
    expect(() => parseDuration('1S')).toThrow(`write 1s ${units}`);
  });

  it('parses sizes: IEC units are 1024-based, SI units 1000-based', () => {
    expect(parseSize('10MiB')).toBe(10 * 1024 * 1024);
    expect(parseSize('1KiB')).toBe(1024);
    expect(parseSize('10 MiB')).toBe(10 * 1024 * 1024);
    expect(parseSize('1KB')).toBe(1000);
    expect(parseSize('1.5KiB')).toBe(1536);
    expect(parseSize('10MB')).toBe(10_000_000);
    expect(parseSize('1kB')).toBe(1000);
    expect(parseSize('512')).toBe(512);
    expect(parseSize('512B')).toBe(512);
    expect(parseSize(4096)).toBe(4096);
    for (const bad of ['lots', '-1KiB', '10 parsecs', -1]) {
      expect(() => parseSize(bad)).toThrow(/expected a size like/);
    }
  });

  it('refuses a lowercase b (bits or bytes?) in a size, spelling out both readings', () => {
    expect(() => parseSize('10mb')).toThrow(
      '"10mb" is ambiguous (a lowercase b means bits): write 10MB for 10 megabytes (10000000 bytes); 10 megabits would be 1250000 bytes',
    );
    expect(() => parseSize('10Mb')).toThrow('write 10MB for 10 megabytes');
    expect(() => parseSize('10Mbit')).toThrow('write 10MB for 10 megabytes');
    expect(() => parseSize('64kb')).toThrow('write 64kB for 64 kilobytes (64000 bytes); 64 kilobits would be 8000 bytes');
    expect(() => parseSize('1kib')).toThrow('write 1KiB for 1 kibibytes (1024 bytes); 1 kibibits would be 128 bytes');
    expect(() => parseSize('1kB ')).not.toThrow();
    expect(() => parseSize('1mB')).toThrow(
      '"1mB": write 1MB (size units are case-sensitive: B, kB, KB, MB, GB, TB, KiB, MiB, GiB, TiB)',
    );
  });

  it('parses rates to bytes per second', () => {
    expect(parseRate('64KiB/s')).toBe(65_536);
    expect(parseRate('1MiB/s')).toBe(1_048_576);
    expect(parseRate('100 / s')).toBe(100);
    for (const bad of ['64KiB', 'fast/s', '0/s']) {
      expect(() => parseRate(bad)).toThrow(/expected a rate like 64KiB\/s or 10Mbit\/s/);
    }
  });

  it('reads bits per second written with bit, and refuses Mb/s with both readings', () => {
    expect(parseRate('10Mbit/s')).toBe(1_250_000);
    expect(parseRate('512kbit/s')).toBe(64_000);
    expect(parseRate('1Gbit/s')).toBe(125_000_000);
    expect(parseRate('10MB/s')).toBe(10_000_000);
    expect(() => parseRate('10Mb/s')).toThrow(
      '"10Mb/s" is ambiguous (a lowercase b means bits): write 10Mbit/s for 10 megabits per second (1250000 bytes/s) or 10MB/s for 10 megabytes per second (10000000 bytes/s)',
    );
    expect(() => parseRate('10mb/s')).toThrow('write 10Mbit/s for 10 megabits per second');
    expect(() => parseRate('64kb/s')).toThrow('write 64kbit/s for 64 kilobits per second (8000 bytes/s) or 64kB/s');
    expect(() => parseRate('64KiB/sec')).toThrow('"64KiB/sec": write 64KiB/s (a rate is per second, written /s)');
  });

  it('parses probabilities', () => {
    expect(parseProbability('5%')).toBeCloseTo(0.05, 12);
    expect(parseProbability('0.05')).toBe(0.05);
    expect(parseProbability(0.2)).toBe(0.2);
    expect(parseProbability('100%')).toBe(1);
    expect(parseProbability(0)).toBe(0);
    for (const bad of ['150%', 1.5, 'often', '-5%', Number.NaN]) {
      expect(() => parseProbability(bad)).toThrow(/expected a probability like 5% or 0.05/);
    }
  });
});

describe('the units docs/scenarios.md lists are exactly the ones accepted', () => {
  const doc = readFileSync(new URL('../../docs/scenarios.md', import.meta.url), 'utf8');
  /** The backticked units in the "accepted units" cell of a row of the Units table. */
  const accepted = (kind: string): string[] => {
    const row = doc.split('\n').find((l) => l.startsWith(`| ${kind} |`));
    const cell = row?.split('|')[2] ?? '';
    return [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1] as string);
  };
  const refused = (parse: (v: string) => number, text: string): boolean => {
    try {
      parse(text);
      return false;
    } catch {
      return true;
    }
  };
  // Spellings people write: every case variant of the listed units, and the usual words.
  const variants = (units: string[]): string[] =>
    [...new Set(units.flatMap((u) => [u, u.toLowerCase(), u.toUpperCase(), `${u[0]?.toUpperCase() ?? ''}${u.slice(1)}`]))].concat(
      [
        'sec',
        'secs',
        'seconds',
        'min',
        'mins',
        'minutes',
        'hr',
        'hours',
        'd',
        'day',
        'days',
        'w',
        'weeks',
        'y',
        'years',
        'b',
        'kb',
        'Kb',
        'mb',
        'Mb',
        'gb',
        'kib',
        'mib',
        'Kib',
        'Mib',
        'kbit',
        'Mbit',
        'bit',
        'bits',
        'bps',
        'Mbps',
        'KiB/s',
      ],
    );

  it('durations', () => {
    const units = accepted('duration');
    expect(units).toEqual(['ms', 's', 'm', 'h']);
    for (const u of variants(units))
      expect({ u, refused: refused(parseDuration, `2${u}`) }).toEqual({ u, refused: !units.includes(u) });
  });

  it('sizes', () => {
    const units = accepted('size');
    expect(units).toEqual(['B', 'kB', 'KB', 'MB', 'GB', 'TB', 'KiB', 'MiB', 'GiB', 'TiB']);
    for (const u of variants(units))
      expect({ u, refused: refused(parseSize, `2${u}`) }).toEqual({ u, refused: !units.includes(u) });
  });

  it('rates', () => {
    const units = accepted('rate')
      .filter((u) => u.endsWith('/s'))
      .map((u) => u.slice(0, -2));
    expect(units).toEqual(['', 'bit', 'kbit', 'Mbit', 'Gbit']);
    const sizes = accepted('size');
    for (const u of variants([...units.filter((x) => x !== ''), ...sizes]))
      expect({ u, refused: refused(parseRate, `8${u}/s`) }).toEqual({ u, refused: !units.includes(u) && !sizes.includes(u) });
  });
});
