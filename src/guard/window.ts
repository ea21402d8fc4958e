import { LATENCY_BUCKETS, latencyBucket, quantileMs } from './latency.js';

/** What a window holds: exchanges that reached the upstream, the failed ones, proxied latencies. */
export interface WindowFigures {
  /** Exchanges answered by the upstream or failed by it (injected answers excluded). */
  readonly requests: number;
  /** Of those: upstream 5xx answers and faultline's own 502/504 for a failed upstream. */
  readonly errors: number;
  /** Proxied exchanges with a duration (the p99's population). */
  readonly timed: number;
}

const SLOTS = 10;

/**
 * A sliding window over the last `spanMs`, as a ring of 10 slots: what falls out of the window
 * leaves a slot at a time, so the window covers between 90% and 100% of the span. Running totals
 * keep the counts O(1); a percentile sums the slots' histograms.
 */
export class SlidingWindow {
  private readonly slotMs: number;
  private readonly requests = new Float64Array(SLOTS);
  private readonly errors = new Float64Array(SLOTS);
  private readonly timed = new Float64Array(SLOTS);
  private readonly latency: Uint32Array[];
  /** Absolute slot number (time / slotMs) of the newest slot. */
  private head = 0;
  private totalRequests = 0;
  private totalErrors = 0;
  private totalTimed = 0;

  constructor(spanMs: number, withLatency: boolean) {
    this.slotMs = Math.max(1, spanMs / SLOTS);
    this.latency = withLatency ? Array.from({ length: SLOTS }, () => new Uint32Array(LATENCY_BUCKETS)) : [];
  }

  /** Count one exchange that reached the upstream; `ms` < 0: not timed (not a plain proxied one). */
  add(now: number, error: boolean, ms: number): void {
    const i = this.advance(now);
    this.requests[i]!++;
    this.totalRequests++;
    if (error) {
      this.errors[i]!++;
      this.totalErrors++;
    }
    if (ms >= 0 && this.latency.length > 0) {
      this.latency[i]![latencyBucket(ms)]!++;
      this.timed[i]!++;
      this.totalTimed++;
    }
  }

  figures(now: number): WindowFigures {
    this.advance(now);
    return { requests: this.totalRequests, errors: this.totalErrors, timed: this.totalTimed };
  }

  /** The q-quantile of the proxied latencies in the window (ms), or null. */
  quantile(now: number, q: number): number | null {
    this.advance(now);
    if (this.latency.length === 0) return null;
    const sum = new Float64Array(LATENCY_BUCKETS);
    for (const slot of this.latency) for (let b = 0; b < LATENCY_BUCKETS; b++) sum[b]! += slot[b]!;
    return quantileMs(sum, this.totalTimed, q);
  }

  /** Forget everything (after a trip: a resume judges only what came after it). */
  clear(): void {
    for (let i = 0; i < SLOTS; i++) this.clearSlot(i);
  }

  /** Move the ring forward to `now`, emptying the slots that fell out; returns the current slot. */
  private advance(now: number): number {
    const slot = Math.floor(now / this.slotMs);
    if (slot > this.head) {
      const steps = Math.min(slot - this.head, SLOTS);
      for (let k = 1; k <= steps; k++) this.clearSlot((this.head + k) % SLOTS);
      this.head = slot;
    }
    return this.head % SLOTS;
  }

  private clearSlot(i: number): void {
    this.totalRequests -= this.requests[i]!;
    this.totalErrors -= this.errors[i]!;
    this.totalTimed -= this.timed[i]!;
    this.requests[i] = 0;
    this.errors[i] = 0;
    this.timed[i] = 0;
    this.latency[i]?.fill(0);
  }
}
