/** RFC 9112 §7.1: chunk-size [ chunk-ext ] CRLF; whitespace before an extension is tolerated (BWS). */
const SIZE_LINE = /^([0-9A-Fa-f]{1,15})[ \t]*(?:;.*)?$/;
const MAX_LINE = 4096;

type State = 'size' | 'data' | 'data-end' | 'trailer' | 'done' | 'broken';

/**
 * Decodes a chunked body byte by byte as RFC 9112 §7.1 frames it, recording the first defect
 * instead of throwing. After a defect every further byte is passed on as it came, so it is still
 * counted and shown.
 */
export class ChunkedDecoder {
  error: string | null = null;
  private state: State = 'size';
  private line = '';
  private left = 0;
  private chunks = 0;

  get done(): boolean {
    return this.state === 'done';
  }

  /** Feed bytes; `onData` gets chunk data. Returns the bytes after the last chunk's trailer, if it ended here. */
  push(buf: Buffer, onData: (data: Buffer) => void): Buffer | null {
    let i = 0;
    while (i < buf.length) {
      if (this.state === 'done') return buf.subarray(i);
      if (this.state === 'broken') {
        onData(buf.subarray(i));
        return null;
      }
      if (this.state === 'data') {
        const take = Math.min(this.left, buf.length - i);
        onData(buf.subarray(i, i + take));
        i += take;
        this.left -= take;
        if (this.left === 0) this.state = 'data-end';
        continue;
      }
      const byte = buf[i++] ?? 0;
      if (byte !== 10) {
        this.line += String.fromCharCode(byte);
        if (this.line.length > MAX_LINE) this.fail(`a chunk line longer than ${MAX_LINE} bytes`);
        continue;
      }
      const line = this.line.endsWith('\r') ? this.line.slice(0, -1) : this.line;
      this.line = '';
      this.onLine(line);
    }
    return this.state === 'done' ? Buffer.alloc(0) : null;
  }

  private onLine(line: string): void {
    if (this.state === 'data-end') {
      if (line !== '') return this.fail(`chunk ${this.chunks} carries more data than its size says ("${line.slice(0, 20)}…")`);
      this.state = 'size';
      return;
    }
    if (this.state === 'trailer') {
      if (line === '') this.state = 'done';
      return;
    }
    const m = SIZE_LINE.exec(line);
    if (m === null) return this.fail(`invalid chunk size line "${line.slice(0, 40)}"`);
    this.chunks += 1;
    this.left = Number.parseInt(m[1] ?? '0', 16);
    this.state = this.left === 0 ? 'trailer' : 'data';
  }

  private fail(message: string): void {
    this.error ??= message;
    this.state = 'broken';
  }
}
