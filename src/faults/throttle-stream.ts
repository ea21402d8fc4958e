import { Transform, type TransformCallback } from 'node:stream';

/** Slices per second: small enough slices that the rate is smooth, few enough timers to be cheap. */
const TICKS_PER_SECOND = 20;

/**
 * Relays bytes at most `bytesPerSecond`, with backpressure: a chunk is released slice by slice on a
 * schedule kept against the start time (so timer jitter does not accumulate), and the next chunk
 * is not accepted until this one is out. Destroying the stream (the client went away) clears the timer.
 */
export class ThrottleStream extends Transform {
  private readonly rate: number;
  private readonly slice: number;
  private readonly startedAt = Date.now();
  private sent = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(bytesPerSecond: number) {
    super({ highWaterMark: 1 });
    this.rate = bytesPerSecond;
    this.slice = Math.max(1, Math.floor(bytesPerSecond / TICKS_PER_SECOND));
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.release(chunk, 0, done);
  }

  private release(chunk: Buffer, offset: number, done: TransformCallback): void {
    this.timer = null;
    if (this.destroyed) return;
    const dueAt = this.startedAt + (this.sent / this.rate) * 1000;
    const wait = dueAt - Date.now();
    if (wait > 1) {
      this.timer = setTimeout(() => this.release(chunk, offset, done), wait);
      return;
    }
    const end = Math.min(chunk.length, offset + this.slice);
    this.push(chunk.subarray(offset, end));
    this.sent += end - offset;
    if (end === chunk.length) done();
    else this.release(chunk, end, done);
  }

  override _destroy(err: Error | null, cb: (error?: Error | null) => void): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    cb(err);
  }
}
