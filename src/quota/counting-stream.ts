import { Transform, type TransformCallback } from 'node:stream';

/**
 * Counts a request body of unknown length as it flows and asks, chunk by chunk, whether the quota
 * can take it (`admit` reserves the bytes). The first chunk that cannot be admitted is not passed on:
 * `onExceeded` runs instead and the stream stalls, so the upstream never receives a complete request.
 */
export class QuotaCountingStream extends Transform {
  reserved = 0;
  private readonly admit: (bytes: number) => Promise<boolean>;
  private readonly onExceeded: (requested: number) => void;

  constructor(admit: (bytes: number) => Promise<boolean>, onExceeded: (requested: number) => void) {
    super();
    this.admit = admit;
    this.onExceeded = onExceeded;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.admit(chunk.length).then(
      (ok) => {
        if (this.destroyed) return;
        if (!ok) {
          this.onExceeded(chunk.length);
          return;
        }
        this.reserved += chunk.length;
        done(null, chunk);
      },
      (err: Error) => done(err),
    );
  }
}
