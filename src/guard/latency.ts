/*
 * Latencies as counts in log-spaced buckets: bucket i holds durations up to FIRST_MS × GROWTH^i,
 * so a percentile read from them is the upper bound of its bucket, at most 15% above the true
 * value. Guards and the report keep many small histograms (one per time slot); these cost 101
 * 32-bit counters each and an observation is one logarithm.
 */

const FIRST_MS = 0.1;
const GROWTH = 1.15;
const LOG_GROWTH = Math.log(GROWTH);
/** 0.1 ms × 1.15^100 ≈ 118 s; anything longer lands in the last bucket. */
export const LATENCY_BUCKETS = 101;

/** The bucket a duration in milliseconds falls in. */
export function latencyBucket(ms: number): number {
  if (!(ms > FIRST_MS)) return 0;
  const i = Math.ceil(Math.log(ms / FIRST_MS) / LOG_GROWTH - 1e-9);
  return i >= LATENCY_BUCKETS ? LATENCY_BUCKETS - 1 : i;
}

/** The largest duration (ms) bucket `i` holds. */
export function bucketUpperMs(i: number): number {
  return FIRST_MS * GROWTH ** i;
}

/** The q-quantile (0..1) of the counts, as its bucket's upper bound in ms; null without samples. */
export function quantileMs(counts: ArrayLike<number>, total: number, q: number): number | null {
  if (total <= 0) return null;
  const rank = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  for (let i = 0; i < counts.length; i++) {
    seen += counts[i] as number;
    if (seen >= rank) return Number(bucketUpperMs(i).toPrecision(3));
  }
  return Number(bucketUpperMs(counts.length - 1).toPrecision(3));
}
