import { Readable } from 'node:stream';
import type { BodyShape } from '../faults/plan.js';
import type { Overrun, QuotaMeter } from './context.js';
import type { Exchange } from './exchange.js';
import { Pacer } from './pacer.js';

/**
 * The client's request body on its way upstream: one Readable between the client's request and
 * undici, with backpressure both ways. It counts the bytes, runs them past the quota meter (for a
 * body of unknown length) and the plan's pace, and shields the client's request from undici: when
 * the upstream request fails or is abandoned, undici destroys this stream, never the client's
 * socket, so the client can still get an answer.
 */
export class RequestBody extends Readable {
  private readonly ex: Exchange;
  private readonly admit: ((bytes: number) => Promise<Overrun | null>) | null;
  private readonly pacer: Pacer | null;
  private readonly onOverrun: (overrun: Overrun) => void;
  /** A chunk is being admitted or paced: the client's request stays paused until it is through. */
  private busy = false;
  private ended = false;
  private detached = false;

  constructor(ex: Exchange, meter: QuotaMeter | null, shape: BodyShape | null, onOverrun: (overrun: Overrun) => void) {
    super({ highWaterMark: 16 * 1024 });
    this.ex = ex;
    this.admit = meter === null ? null : meter.admit;
    this.pacer = shape !== null && shape.shape === 'pace' ? new Pacer(shape.bytesPerSecond) : null;
    this.onOverrun = onOverrun;
    const req = ex.req;
    req.on('data', this.onData);
    req.on('end', this.onEnd);
    req.on('close', this.onClose);
  }

  /** Stop taking bytes from the client's request (they are settled by whoever answers). */
  detach(): void {
    if (this.detached) return;
    this.detached = true;
    const req = this.ex.req;
    req.off('data', this.onData);
    req.off('end', this.onEnd);
    req.off('close', this.onClose);
    this.pacer?.stop();
  }

  override _read(): void {
    if (!this.busy && !this.detached && this.ex.req.isPaused()) this.ex.req.resume();
  }

  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    this.detach();
    callback(err);
  }

  private readonly onData = (chunk: Buffer): void => {
    this.ex.bytesIn += chunk.length;
    if (this.admit === null && this.pacer === null) {
      if (!this.push(chunk)) this.ex.req.pause();
      return;
    }
    this.busy = true;
    this.ex.req.pause();
    if (this.admit === null) this.pace(chunk);
    else
      // admit never rejects: the quota stage turns a store failure into its own verdict.
      void this.admit(chunk.length).then((overrun) => {
        if (this.detached) return;
        if (overrun !== null) {
          this.detach();
          this.onOverrun(overrun);
          return;
        }
        this.pace(chunk);
      });
  };

  private pace(chunk: Buffer): void {
    if (this.pacer === null) {
      this.release(chunk);
      return;
    }
    this.pacer.send(
      chunk,
      (part) => this.push(part),
      () => this.release(null),
    );
  }

  private release(chunk: Buffer | null): void {
    this.busy = false;
    const full = chunk !== null && !this.push(chunk);
    if (this.ended) this.end();
    else if (!full && !this.detached) this.ex.req.resume();
  }

  private readonly onEnd = (): void => {
    this.ended = true;
    if (!this.busy) this.end();
  };

  /**
   * The end of the body, once undici reads it: a stream that has already ended when undici looks
   * at it is sent as a body of known length, which would turn a chunked request into a
   * Content-Length one.
   */
  private end(): void {
    if (this.listenerCount('data') > 0) this.push(null);
    else this.once('resume', () => this.push(null));
  }

  /** The client's request closed before its end: the client left mid-upload. */
  private readonly onClose = (): void => {
    if (!this.ended) this.destroy(new Error('the client aborted its request'));
  };
}
