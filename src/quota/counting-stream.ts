import { Transform, type TransformCallback } from 'node:stream';
import type { Reservation } from './store.js';
import { asError } from '../errors.js';

/**
 * Counts a request body of unknown length as it flows and asks, chunk by chunk, whether the quota
 * can take it (`admit` reserves the bytes). The first chunk that cannot be admitted is not passed on:
 * `onExceeded` runs instead and, when it returns true, the stream stalls, so the upstream never
 * receives a complete request. When it returns false (the fault was not to be injected), that chunk
 * and the rest pass on unreserved.
 */
export class QuotaCountingStream extends Transform {
  reserved = 0;
  private readonly admit: (bytes: number) => Promise<Reservation>;
  private readonly onExceeded: (requested: number, refused: Reservation) => boolean;
  /** The quota was exceeded but its fault not injected: the rest of the body passes unchecked. */
  private waved = false;

  constructor(admit: (bytes: number) => Promise<Reservation>, onExceeded: (requested: number, refused: Reservation) => boolean) {
    super();
    this.admit = admit;
    this.onExceeded = onExceeded;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    if (this.waved) {
      done(null, chunk);
      return;
    }
    this.admit(chunk.length).then(
      (reservation) => {
        if (this.destroyed) return;
        if (!reservation.ok) {
          if (this.onExceeded(chunk.length, reservation)) return;
          this.waved = true;
          done(null, chunk);
          return;
        }
        this.reserved += chunk.length;
        done(null, chunk);
      },
      (err: unknown) => done(asError(err)),
    );
  }
}
