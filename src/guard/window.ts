import { LATENCY_BUCKETS, latencyBucket, quantileMs } from './latency.js';

/** What a window holds: exchanges that reached the upstream, the failed ones, proxied latencies. */
interface WindowFigures {
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
 * (counts and the latency histogram) keep an observation O(1) and a percentile one bucket scan.
 */
export class SlidingWindow {
  private readonly slotMs: number;
  private readonly requests = new Float64Array(SLOTS);
  private readonly errors = new Float64Array(SLOTS);
  private readonly timed = new Float64Array(SLOTS);
  private readonly latency: Uint32Array[];
  /** The slots' latency histograms summed. */
  private readonly latencyTotal: Float64Array;
  /** Absolute slot number (time / slotMs) of the newest slot. */
  private head = 0;
  private totalRequests = 0;
  private totalErrors = 0;
  private totalTimed = 0;

  constructor(spanMs: number, withLatency: boolean) {
    this.slotMs = Math.max(1, spanMs / SLOTS);
    this.latency = withLatency ? Array.from({ length: SLOTS }, () => new Uint32Array(LATENCY_BUCKETS)) : [];
    this.latencyTotal = new Float64Array(withLatency ? LATENCY_BUCKETS : 0);
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
      const b = latencyBucket(ms);
      this.latency[i]![b]!++;
      this.latencyTotal[b]!++;
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
    return quantileMs(this.latencyTotal, this.totalTimed, q);
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
    const timed = this.timed[i]!;
    this.totalRequests -= this.requests[i]!;
    this.totalErrors -= this.errors[i]!;
    this.totalTimed -= timed;
    this.requests[i] = 0;
    this.errors[i] = 0;
    this.timed[i] = 0;
    const slot = this.latency[i];
    // A slot without timed requests has an all-zero histogram: nothing to subtract.
    if (slot === undefined || timed === 0) return;
    for (let b = 0; b < LATENCY_BUCKETS; b++) {
      this.latencyTotal[b]! -= slot[b]!;
      slot[b] = 0;
    }
  }
}
