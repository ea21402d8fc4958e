/**
 * Counts the raw bytes of one response as they arrive on the socket, beside node's own parser.
 *
 * node's HTTP client stops reading a message where the framing says it ends: a HEAD/204/304
 * response never has a body, and a body longer than Content-Length is cut. Those extra bytes are
 * exactly what the framing checks look for, so they are counted here from the socket: everything
 * after the head of the final (non-1xx) response is "after head".
 *
 *   socket 'data' ──► node's parser ──► IncomingMessage (decoded body)
 *          └────────► WireTap: head end? then count + keep the first N bytes
 */
export class WireTap {
  /** Time of the first byte, from `now()` of the caller; null until one arrives. */
  firstByteAt: number | null = null;
  /** Bytes after the final head (including any the parser refused). */
  afterHead = 0;
  private readonly captured: Buffer[] = [];
  private capturedLength = 0;
  private head: Buffer | null = Buffer.alloc(0);

  constructor(private readonly captureBytes: number) {}

  /** Feed one socket chunk. */
  push(chunk: Buffer, at: number): void {
    if (this.firstByteAt === null) this.firstByteAt = at;
    if (this.head !== null) {
      const rest = this.consumeHead(chunk);
      if (rest === null) return;
      chunk = rest;
    }
    this.afterHead += chunk.length;
    const room = this.captureBytes - this.capturedLength;
    if (room > 0 && chunk.length > 0) {
      const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
      this.captured.push(part);
      this.capturedLength += part.length;
    }
  }

  /** The first `captureBytes` bytes after the head. */
  body(): Buffer {
    return Buffer.concat(this.captured, this.capturedLength);
  }

  /** Accumulate until the end of a non-1xx head; return what follows it, or null if not there yet. */
  private consumeHead(chunk: Buffer): Buffer | null {
    let buf = this.head === null ? chunk : Buffer.concat([this.head, chunk]);
    for (;;) {
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) {
        this.head = buf;
        return null;
      }
      // RFC 9110 §15.2: interim 1xx responses (other than 101) precede the final one.
      const status = /^HTTP\/\d(?:\.\d)? (\d{3})/.exec(buf.subarray(0, 16).toString('latin1'))?.[1];
      buf = buf.subarray(end + 4);
      if (status === undefined || status[0] !== '1' || status === '101') {
        this.head = null;
        return buf;
      }
    }
  }
}
