/** The sliding minute, as 60 one-second slots. */
const SLOTS = 60;
const SLOT_MS = 1000;

/** Counts over the last minute in one-second slots, with a running total. */
class MinuteCounter {
  private readonly slots = new Float64Array(SLOTS);
  private head = 0;
  total = 0;

  add(now: number): void {
    this.slots[this.advance(now)]!++;
    this.total++;
  }

  read(now: number): number {
    this.advance(now);
    return this.total;
  }

  private advance(now: number): number {
    const slot = Math.floor(now / SLOT_MS);
    if (slot > this.head) {
      const steps = Math.min(slot - this.head, SLOTS);
      for (let k = 1; k <= steps; k++) {
        const i = (this.head + k) % SLOTS;
        this.total -= this.slots[i]!;
        this.slots[i] = 0;
      }
      this.head = slot;
    }
    return this.head % SLOTS;
  }
}

/**
 * Blast radius: a rule's `limit: { share: 10% }` and the global --max-injected-share. Every
 * request the proxy starts counts in the minute's traffic; a fault is admitted only while the
 * rule's injections (and all injections, for the global limit), this one included, stay within
 * the share of that traffic.
 */
export class ShareLimit {
  private readonly traffic = new MinuteCounter();
  private readonly all = new MinuteCounter();
  private byRule = new Map<string, { share: number; counter: MinuteCounter }>();
  private readonly global: number | null;

  constructor(global: number | null) {
    this.global = global;
  }

  /** Does anything limit shares? (No: the gate skips this part entirely.) */
  get active(): boolean {
    return this.global !== null || this.byRule.size > 0;
  }

  /** A new rule set's per-rule shares; a rule whose share is unchanged keeps its minute. */
  bind(shares: ReadonlyMap<string, number>): void {
    const next = new Map<string, { share: number; counter: MinuteCounter }>();
    for (const [rule, share] of shares) next.set(rule, { share, counter: this.byRule.get(rule)?.counter ?? new MinuteCounter() });
    this.byRule = next;
  }

  requestStarted(now: number): void {
    this.traffic.add(now);
  }

  /** May `rule` inject one more fault now? If so, it is counted. */
  admit(rule: string, now: number): boolean {
    const traffic = this.traffic.read(now);
    if (this.global !== null && this.all.read(now) + 1 > this.global * traffic) return false;
    const own = this.byRule.get(rule);
    if (own !== undefined && own.counter.read(now) + 1 > own.share * traffic) return false;
    this.all.add(now);
    own?.counter.add(now);
    return true;
  }
}
