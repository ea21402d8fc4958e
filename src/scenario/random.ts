import { randomBytes } from 'node:crypto';

/*
 * The seedable source behind every random decision of a rule set (`when.probability`, delay
 * ranges). mulberry32: 32 bits of state, one multiply-xorshift round per draw, no allocation, and
 * statistics that are ample for deciding "fail 5% of requests";
 * it is not, and need not be, cryptographic. The same seed gives the same sequence on every platform.
 */

/** A generator of floats in [0, 1) fully determined by `seed` (taken modulo 2^32). */
export function createRandom(seed: number): () => number {
  let a = seed >>> 0;
  return function next(): number {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A fresh seed from the OS, for files that give none; the rule set records it so a run can be replayed. */
export function pickSeed(): number {
  return randomBytes(4).readUInt32LE(0);
}
