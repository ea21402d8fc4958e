import { Transform, type TransformCallback } from 'node:stream';

/**
 * Passes the first `limit` bytes through, then calls `onLimit` once and swallows the rest. The
 * truncate and reset-after-bytes faults decide what happens to the connection at that point.
 */
export class ByteLimit extends Transform {
  private remaining: number;
  private readonly onLimit: () => void;
  private reached = false;

  constructor(limit: number, onLimit: () => void) {
    super();
    this.remaining = limit;
    this.onLimit = onLimit;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    if (this.reached) {
      done();
      return;
    }
    if (chunk.length < this.remaining) {
      this.remaining -= chunk.length;
      done(null, chunk);
      return;
    }
    const head = chunk.subarray(0, this.remaining);
    this.remaining = 0;
    this.reached = true;
    if (head.length > 0) this.push(head);
    done();
    this.onLimit();
  }
}
