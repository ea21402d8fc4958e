import { Transform, type TransformCallback } from 'node:stream';
import type { Reservation } from './store.js';
import { asError } from '../errors.js';

/**
 * Counts a request body of unknown length as it flows and asks, chunk by chunk, whether the quota
 * can take it (`admit` reserves the bytes). The first chunk that cannot be admitted is not passed on:
 * `onExceeded` runs instead and the stream stalls, so the upstream never receives a complete request.
 */
export class QuotaCountingStream extends Transform {
  reserved = 0;
  private readonly admit: (bytes: number) => Promise<Reservation>;
  private readonly onExceeded: (requested: number, refused: Reservation) => void;

  constructor(admit: (bytes: number) => Promise<Reservation>, onExceeded: (requested: number, refused: Reservation) => void) {
    super();
    this.admit = admit;
    this.onExceeded = onExceeded;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.admit(chunk.length).then(
      (reservation) => {
        if (this.destroyed) return;
        if (!reservation.ok) {
          this.onExceeded(chunk.length, reservation);
          return;
        }
        this.reserved += chunk.length;
        done(null, chunk);
      },
      (err: unknown) => done(asError(err)),
    );
  }
}
