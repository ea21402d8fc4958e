import type { Logger } from '../log/logger.js';

/**
 * The dead-man switch (--require-heartbeat): injection is on only while a controller has called
 * POST /heartbeat (or `faultline heartbeat`) within the interval. It starts off: nothing is
 * injected until the first heartbeat. A timer notes the lapse in the log; the decision itself
 * compares clocks, so injection stops at the interval's end even before the timer fires.
 */
export class DeadMan {
  readonly intervalMs: number;
  private lastBeat: number | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly log: Logger;
  private readonly now: () => number;

  constructor(intervalMs: number, log: Logger, now: () => number) {
    this.intervalMs = intervalMs;
    this.log = log;
    this.now = now;
  }

  live(now: number): boolean {
    return this.lastBeat !== null && now - this.lastBeat <= this.intervalMs;
  }

  /** A heartbeat: injection is on until `now + interval`. Returns that deadline. */
  beat(): number {
    const now = this.now();
    if (!this.live(now)) this.log.info({ intervalMs: this.intervalMs }, 'heartbeat received: injection on');
    this.lastBeat = now;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.log.warn({ intervalMs: this.intervalMs }, `no heartbeat for ${this.intervalMs}ms: injection off until the next one`);
    }, this.intervalMs + 1);
    this.timer.unref();
    return now + this.intervalMs;
  }

  view(now: number): { required: boolean; intervalMs: number; live: boolean; lastAt: string | null; expiresAt: string | null } {
    const last = this.lastBeat;
    return {
      required: true,
      intervalMs: this.intervalMs,
      live: this.live(now),
      lastAt: last === null ? null : new Date(last).toISOString(),
      expiresAt: last === null ? null : new Date(last + this.intervalMs).toISOString(),
    };
  }

  close(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}
