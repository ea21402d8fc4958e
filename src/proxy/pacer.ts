/** Slices per second: small enough that the rate is smooth, few enough timers to be cheap. */
const TICKS_PER_SECOND = 20;

/**
 * Releases bytes at most `bytesPerSecond`, on a schedule kept against the start time (so timer
 * jitter does not accumulate). `send(chunk, write, done)` writes the chunk slice by slice and calls
 * `done` when all of it is out; one chunk at a time (the caller holds the next back). `stop()`
 * clears the timer: nothing is written after it.
 */
export class Pacer {
  private readonly rate: number;
  private readonly slice: number;
  private readonly startedAt = Date.now();
  private sent = 0;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(bytesPerSecond: number) {
    this.rate = bytesPerSecond;
    this.slice = Math.max(1, Math.floor(bytesPerSecond / TICKS_PER_SECOND));
  }

  send(chunk: Buffer, write: (part: Buffer) => void, done: () => void): void {
    this.release(chunk, 0, write, done);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private release(chunk: Buffer, offset: number, write: (part: Buffer) => void, done: () => void): void {
    this.timer = null;
    for (let i = 0; i < 1_000_000 && !this.stopped; i++) {
      const wait = this.startedAt + (this.sent / this.rate) * 1000 - Date.now();
      if (wait > 1) {
        this.timer = setTimeout(() => this.release(chunk, offset, write, done), wait);
        return;
      }
      const end = Math.min(chunk.length, offset + this.slice);
      write(chunk.subarray(offset, end));
      this.sent += end - offset;
      offset = end;
      if (offset === chunk.length) {
        done();
        return;
      }
    }
  }
}
