import type { CutPoint } from '../scenario/types.js';

/*
 * Where a cut response body ends, found in the bytes as they pass, whatever the chunks: after N
 * bytes, after N complete gRPC messages, or after N complete Server-Sent Events. One counter per
 * response; it keeps only a few numbers between chunks, never the bytes.
 */

/** Fed every chunk of one body in order; tells where in it the cut falls. */
export interface CutCounter {
  /** How many bytes of `chunk` to relay before cutting, or -1 to relay all of it and go on. */
  cutAt(chunk: Buffer): number;
}

/** A fresh counter for one response. */
export function cutCounter(after: CutPoint): CutCounter {
  switch (after.unit) {
    case 'bytes':
      return new ByteCounter(after.count);
    case 'messages':
      return new GrpcMessageCounter(after.count);
    case 'events':
      return new EventCounter(after.count);
  }
}

/** N bytes: a body of fewer passes whole. */
class ByteCounter implements CutCounter {
  private remaining: number;
  constructor(bytes: number) {
    this.remaining = bytes;
  }
  cutAt(chunk: Buffer): number {
    if (chunk.length < this.remaining) {
      this.remaining -= chunk.length;
      return -1;
    }
    const at = this.remaining;
    this.remaining = 0;
    return at;
  }
}

/** The 5-byte prefix of a gRPC message: a compressed flag, then the length, 4 bytes big-endian. */
const PREFIX = 5;

/**
 * gRPC's Length-Prefixed-Messages (PROTOCOL-HTTP2.md): the cut falls right after the last byte of
 * the Nth message, so the client holds N whole messages and no part of the next. Prefixes split
 * across chunks are put together byte by byte; payloads are skipped in bulk.
 */
class GrpcMessageCounter implements CutCounter {
  private left: number;
  /** Bytes of the current prefix seen (0-5); 5: inside the payload. */
  private prefixSeen = 0;
  private length = 0;
  /** Payload bytes still to come of the current message. */
  private payloadLeft = 0;

  constructor(messages: number) {
    this.left = messages;
  }

  cutAt(chunk: Buffer): number {
    if (this.left === 0) return 0;
    let i = 0;
    while (i < chunk.length) {
      if (this.prefixSeen < PREFIX) {
        // Byte 0 is the compressed flag; bytes 1-4 the length.
        if (this.prefixSeen > 0) this.length = this.length * 256 + (chunk[i] as number);
        this.prefixSeen++;
        i++;
        if (this.prefixSeen < PREFIX) continue;
        this.payloadLeft = this.length;
      } else {
        const take = Math.min(this.payloadLeft, chunk.length - i);
        this.payloadLeft -= take;
        i += take;
      }
      if (this.payloadLeft === 0) {
        this.prefixSeen = 0;
        this.length = 0;
        if (--this.left === 0) return i;
      }
    }
    return -1;
  }
}

const LF = 0x0a;
const CR = 0x0d;
/** `data:`: a line whose field is `data` (alone, or followed by a colon) gives an event its data. */
const DATA = [0x64, 0x61, 0x74, 0x61, 0x3a];
/** The UTF-8 byte order mark a stream may start with (and the parser skips). */
const BOM = [0xef, 0xbb, 0xbf];

/**
 * Server-Sent Events (HTML, "Parsing an event stream"): lines end with CRLF, LF or CR; a blank
 * line dispatches an event, if the block before it had a `data` field (a block of comments or of
 * other fields alone dispatches nothing, so keep-alive comments are not counted). The cut falls
 * after the blank line that ends the Nth event; when that line ends with a CR at the end of a
 * chunk, the next chunk's first byte decides whether a LF belongs to it.
 */
class EventCounter implements CutCounter {
  private left: number;
  /** Bytes of the current line so far (only the first five matter). */
  private lineLength = 0;
  /** The current line starts like `data` / `data:` so far. */
  private dataPrefix = true;
  private blockHasData = false;
  /** The last byte was a CR: a LF right after it ends no second line. */
  private afterCR = false;
  /** The Nth event ended with a CR as the last byte of a chunk: cut after the LF, if one follows. */
  private cutAfterLF = false;
  /** Bytes of a leading byte order mark seen; 3: past the start of the stream. */
  private bomSeen = 0;

  constructor(events: number) {
    this.left = events;
  }

  cutAt(chunk: Buffer): number {
    if (this.cutAfterLF) return chunk.length > 0 && chunk[0] === LF ? 1 : 0;
    if (this.left === 0) return 0;
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i] as number;
      if (this.bomSeen < BOM.length) {
        if (byte === BOM[this.bomSeen]) {
          this.bomSeen++;
          continue;
        }
        this.bomSeen = BOM.length;
      }
      if (byte === LF && this.afterCR) {
        this.afterCR = false;
        continue;
      }
      this.afterCR = byte === CR;
      if (byte !== LF && byte !== CR) {
        if (this.lineLength < DATA.length && byte !== DATA[this.lineLength]) this.dataPrefix = false;
        this.lineLength++;
        continue;
      }
      if (this.lineLength > 0) {
        if (this.dataPrefix && this.lineLength >= 4) this.blockHasData = true;
      } else if (this.blockHasData) {
        this.blockHasData = false;
        if (--this.left === 0) {
          if (byte === LF) return i + 1;
          if (i + 1 < chunk.length) return chunk[i + 1] === LF ? i + 2 : i + 1;
          this.cutAfterLF = true;
          return -1;
        }
      }
      this.lineLength = 0;
      this.dataPrefix = true;
    }
    return -1;
  }
}
