import { ChunkedDecoder } from './chunked.js';
import { headEnd, NotHttpError, parseHead, type RawHead } from './head.js';
import type { FramingKind } from './types.js';

const MAX_HEAD_BYTES = 64 * 1024;
const DIGITS = /^\d+$/;

/**
 * Reads one response from the raw bytes of its connection, the way RFC 9112 §6.3 says a recipient
 * decides where the message ends, and keeps counting past that end. No defect stops it: a client
 * library would refuse or misread such a response, and that is exactly what the checks report.
 *
 *   socket bytes ─► head (1xx skipped) ─► framing decision ─► body: none | length | chunked | close
 *                                                                  └─► bytes after the end: extraBytes
 */
export class ResponseReader {
  head: RawHead | null = null;
  kind: FramingKind = 'close';
  /** Octets of the message body (de-chunked for chunked). */
  bodyBytes = 0;
  /** Octets received after the message ended where its framing says. */
  extraBytes = 0;
  /** The first chunked-syntax defect, or the connection closing before the last chunk. */
  chunkError: string | null = null;
  /** The message ended as framed (length reached, last chunk seen, no body, or close for close-delimited). */
  ended = false;
  private buf: Buffer = Buffer.alloc(0);
  private searchFrom = 0;
  private remaining = 0;
  private chunked: ChunkedDecoder | null = null;
  private readonly captured: Buffer[] = [];
  private capturedLength = 0;

  constructor(
    private readonly method: string,
    private readonly captureBytes: number,
  ) {}

  /** Feed socket bytes. @throws NotHttpError when the bytes are not an HTTP/1.x response head. */
  push(chunk: Buffer): void {
    if (this.head === null) {
      const rest = this.readHead(chunk);
      if (rest === null || rest.length === 0) return;
      chunk = rest;
    }
    if (this.ended) return this.extra(chunk);
    if (this.kind === 'length') {
      const take = Math.min(this.remaining, chunk.length);
      this.body(chunk.subarray(0, take));
      this.remaining -= take;
      if (this.remaining === 0) this.ended = true;
      if (take < chunk.length) this.extra(chunk.subarray(take));
      return;
    }
    if (this.kind === 'chunked' && this.chunked !== null) {
      const after = this.chunked.push(chunk, (data) => this.body(data));
      this.chunkError = this.chunked.error;
      if (this.chunked.done) this.ended = true;
      if (after !== null && after.length > 0) this.extra(after);
      return;
    }
    this.body(chunk);
  }

  /** The connection closed. */
  close(): void {
    if (this.head === null || this.ended) return;
    if (this.kind === 'close') this.ended = true;
    else if (this.kind === 'chunked') this.chunkError ??= 'the connection closed before the last (zero-size) chunk';
  }

  /** The first captured body bytes; for a bodiless response, the bytes that followed its head anyway. */
  capture(): Buffer {
    return Buffer.concat(this.captured, this.capturedLength);
  }

  /** Bytes of a head that has not ended yet. */
  get partialHeadBytes(): number {
    return this.head === null ? this.buf.length : 0;
  }

  private readHead(chunk: Buffer): Buffer | null {
    let buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    for (;;) {
      const end = headEnd(buf, Math.max(0, this.searchFrom - 2));
      if (end < 0) {
        if (buf.length > MAX_HEAD_BYTES) throw new NotHttpError(`no end of the response head in ${MAX_HEAD_BYTES} bytes`);
        this.searchFrom = buf.length;
        this.buf = buf;
        return null;
      }
      const head = parseHead(buf.subarray(0, end));
      buf = buf.subarray(end);
      this.searchFrom = 0;
      // RFC 9110 §15.2: interim 1xx responses (but 101) precede the final one.
      if (head.status >= 100 && head.status < 200 && head.status !== 101) continue;
      this.buf = Buffer.alloc(0);
      this.head = head;
      this.decide(head);
      return buf;
    }
  }

  /** RFC 9112 §6.3, in its order. Invalid framing is read until close, to count what came. */
  private decide(head: RawHead): void {
    const { status, headers } = head;
    if (this.method === 'HEAD' || status === 204 || status === 304 || status < 200) {
      this.kind = 'none';
      this.ended = true;
      return;
    }
    const te = headers.filter(([n]) => n.toLowerCase() === 'transfer-encoding').map(([, v]) => v);
    if (te.length > 0) {
      const codings = te.flatMap((v) => v.split(',')).map((c) => c.trim().toLowerCase());
      if (codings[codings.length - 1] === 'chunked' && head.httpVersion !== '1.0') {
        this.kind = 'chunked';
        this.chunked = new ChunkedDecoder();
      } else this.kind = 'close';
      return;
    }
    const cl = headers.filter(([n]) => n.toLowerCase() === 'content-length').flatMap(([, v]) => v.split(','));
    const values = cl.map((v) => v.trim());
    if (values.length > 0 && values.every((v) => v === values[0]) && DIGITS.test(values[0] ?? '')) {
      this.kind = 'length';
      this.remaining = Number(values[0]);
      this.ended = this.remaining === 0;
      return;
    }
    this.kind = 'close';
  }

  private body(data: Buffer): void {
    this.bodyBytes += data.length;
    this.keep(data);
  }

  private extra(data: Buffer): void {
    this.extraBytes += data.length;
    if (this.kind === 'none') this.keep(data);
  }

  private keep(data: Buffer): void {
    const room = this.captureBytes - this.capturedLength;
    if (room <= 0 || data.length === 0) return;
    const part = data.length > room ? data.subarray(0, room) : data;
    this.captured.push(part);
    this.capturedLength += part.length;
  }
}
