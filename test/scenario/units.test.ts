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
    for (const bad of ['x', '-1s', '', '2 fortnights', -5]) {
      expect(() => parseDuration(bad)).toThrow(/expected a duration like 250ms or 2m, got/);
    }
    expect(() => parseDuration('x')).toThrow('expected a duration like 250ms or 2m, got "x"');
  });

  it('parses sizes: IEC units are 1024-based, SI units 1000-based', () => {
    expect(parseSize('10MiB')).toBe(10 * 1024 * 1024);
    expect(parseSize('1KiB')).toBe(1024);
    expect(parseSize('1kib')).toBe(1024);
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

  it('parses rates to bytes per second', () => {
    expect(parseRate('64KiB/s')).toBe(65_536);
    expect(parseRate('1MiB/s')).toBe(1_048_576);
    expect(parseRate('100 / s')).toBe(100);
    for (const bad of ['64KiB', 'fast/s', '0/s']) {
      expect(() => parseRate(bad)).toThrow(/expected a rate like 64KiB\/s/);
    }
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
