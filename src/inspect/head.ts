import type { HeaderPair } from './types.js';

/** A response head as it came off the socket, with every syntax defect a strict recipient would refuse. */
export interface RawHead {
  httpVersion: string;
  status: number;
  statusText: string;
  /** Names trimmed, values without surrounding whitespace; folded lines joined with one space. */
  headers: HeaderPair[];
  /** RFC 9112 §2.2, §4, §5 violations, one short sentence each, in the order found. */
  syntax: string[];
}

/** The head is not HTTP at all: nothing a client could act on came back. */
export class NotHttpError extends Error {}

/** RFC 9110 §5.6.2 token: a field name. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** RFC 9112 §4 status-line; the SP before an empty reason-phrase is tolerated, as recipients do. */
const STATUS_LINE = /^HTTP\/(\d)\.(\d) (\d{3})(?: (.*))?$/;
/** RFC 9110 §5.5: field values have no CTL but HTAB (obs-text is allowed). */
const BAD_VALUE_CHAR = /[\0-\x08\x0a-\x1f\x7f]/;

/**
 * Where the head ends in `buf` (the index after its empty line), or -1. A bare LF is accepted as a
 * line end (RFC 9112 §2.2 lets recipients do so) and reported by `parseHead`.
 */
export function headEnd(buf: Buffer, from: number): number {
  let i = buf.indexOf(10, from);
  while (i >= 0) {
    if (buf[i + 1] === 10) return i + 2;
    if (buf[i + 1] === 13 && buf[i + 2] === 10) return i + 3;
    i = buf.indexOf(10, i + 1);
  }
  return -1;
}

/** Parse one head (status line and fields), recording every syntax defect instead of refusing it. */
export function parseHead(bytes: Buffer): RawHead {
  const text = bytes.toString('latin1');
  const lines = text.split('\n');
  const syntax: string[] = [];
  if (lines.slice(0, -2).some((l) => !l.endsWith('\r'))) syntax.push('lines end in a bare LF instead of CRLF (RFC 9112 §2.2)');
  const clean = lines.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  const statusLine = clean[0] ?? '';
  const m = STATUS_LINE.exec(statusLine);
  if (m === null) throw new NotHttpError(`not an HTTP/1.x status line: "${statusLine.slice(0, 60)}"`);
  const headers: [string, string][] = [];
  for (const line of clean.slice(1)) {
    if (line === '') break;
    if (line.startsWith(' ') || line.startsWith('\t')) {
      syntax.push('a field is folded over several lines (obs-fold, RFC 9112 §5.2)');
      const last = headers[headers.length - 1];
      if (last !== undefined) last[1] = `${last[1]} ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon < 0) {
      syntax.push(`a line without a colon: "${line.slice(0, 40)}"`);
      continue;
    }
    const rawName = line.slice(0, colon);
    const name = rawName.trim();
    if (rawName !== rawName.trimEnd()) syntax.push(`whitespace between the field name "${name}" and the colon (RFC 9112 §5.1)`);
    else if (!TOKEN.test(name)) syntax.push(`an invalid field name "${name.slice(0, 40)}" (RFC 9110 §5.1)`);
    const value = line.slice(colon + 1).replace(/^[ \t]+|[ \t]+$/g, '');
    if (BAD_VALUE_CHAR.test(value)) syntax.push(`a control character in the value of ${name} (RFC 9110 §5.5)`);
    headers.push([name, value]);
  }
  return { httpVersion: `${m[1]}.${m[2]}`, status: Number(m[3]), statusText: m[4] ?? '', headers, syntax };
}
