import { describe, expect, it } from 'vitest';
import { cutCounter } from '../../src/faults/cut-counter.js';
import type { CutPoint } from '../../src/scenario/types.js';

/*
 * Where a cut falls must not depend on how the body arrives: every stream below is fed whole,
 * byte by byte, split at every single point, and in seeded random pieces, and the cut must land
 * on the same byte of the stream each time.
 */

/** Feed `chunks` in order; the cut's offset in the whole stream, or -1 when it never comes. */
function cutIn(after: CutPoint, chunks: readonly Buffer[]): number {
  const counter = cutCounter(after);
  let offset = 0;
  for (const chunk of chunks) {
    const at = counter.cutAt(chunk);
    if (at >= 0) {
      expect(at).toBeLessThanOrEqual(chunk.length);
      return offset + at;
    }
    offset += chunk.length;
  }
  return -1;
}

/** A small seeded generator (mulberry32), so a failing split can be replayed. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The ways to split `bytes` into chunks that these tests try. */
function splits(bytes: Buffer): Buffer[][] {
  const out: Buffer[][] = [[bytes], Array.from(bytes, (b) => Buffer.from([b]))];
  for (let at = 1; at < bytes.length; at++) out.push([bytes.subarray(0, at), bytes.subarray(at)]);
  const random = seeded(bytes.length);
  for (let round = 0; round < 20; round++) {
    const chunks: Buffer[] = [];
    for (let at = 0; at < bytes.length;) {
      const size = 1 + Math.floor(random() * 9);
      chunks.push(bytes.subarray(at, at + size));
      at += size;
    }
    out.push(chunks);
  }
  return out;
}

/** The cut offset, after checking every split agrees on it. */
function cutEverywhere(after: CutPoint, bytes: Buffer): number {
  const expected = cutIn(after, [bytes]);
  for (const chunks of splits(bytes))
    expect([chunks.map((c) => c.length).join(','), cutIn(after, chunks)]).toEqual([
      chunks.map((c) => c.length).join(','),
      expected,
    ]);
  return expected;
}

function grpcMessage(length: number, fill: number): Buffer {
  const head = Buffer.alloc(5);
  head.writeUInt32BE(length, 1);
  return Buffer.concat([head, Buffer.alloc(length, fill)]);
}

describe('afterBytes', () => {
  it('cuts after N bytes; a shorter body passes whole', () => {
    const body = Buffer.alloc(50, 1);
    expect(cutEverywhere({ unit: 'bytes', count: 20 }, body)).toBe(20);
    expect(cutEverywhere({ unit: 'bytes', count: 50 }, body)).toBe(50);
    expect(cutEverywhere({ unit: 'bytes', count: 51 }, body)).toBe(-1);
    expect(cutIn({ unit: 'bytes', count: 0 }, [body])).toBe(0);
  });
});

describe('afterMessages (gRPC)', () => {
  // An empty message, a one-byte one, one with a length above 255 and one above 65535 (every length byte counts).
  const sizes = [0, 1, 300, 70_000];
  const messages = sizes.map((n, i) => grpcMessage(n, i + 1));
  const stream = Buffer.concat(messages);
  const ends = messages.map((_, i) => messages.slice(0, i + 1).reduce((sum, m) => sum + m.length, 0));

  it('cuts right after the Nth complete message, however the bytes are split', () => {
    // The big message makes every split too many to try on the whole stream: the short ones get every split.
    const short = Buffer.concat(messages.slice(0, 3));
    for (let n = 1; n <= 3; n++) expect(cutEverywhere({ unit: 'messages', count: n }, short)).toBe(ends[n - 1]);
    expect(cutEverywhere({ unit: 'messages', count: 4 }, short)).toBe(-1);
  });

  it('counts a message whose length needs all four bytes, in pieces', () => {
    const random = seeded(42);
    for (let round = 0; round < 50; round++) {
      const chunks: Buffer[] = [];
      for (let at = 0; at < stream.length;) {
        const size = 1 + Math.floor(random() * 4000);
        chunks.push(stream.subarray(at, at + size));
        at += size;
      }
      expect(cutIn({ unit: 'messages', count: 4 }, chunks)).toBe(ends[3]);
      expect(cutIn({ unit: 'messages', count: 3 }, chunks)).toBe(ends[2]);
    }
    expect(cutIn({ unit: 'messages', count: 5 }, [stream])).toBe(-1);
  });

  it('cuts before the first message for N = 0', () => {
    expect(cutIn({ unit: 'messages', count: 0 }, [stream])).toBe(0);
  });
});

describe('afterEvents (Server-Sent Events)', () => {
  const sse = (text: string): Buffer => Buffer.from(text, 'utf8');

  it('cuts after the blank line that ends the Nth event, with LF, CRLF or CR line ends', () => {
    for (const eol of ['\n', '\r\n', '\r']) {
      const events = [
        `data: one${eol}${eol}`,
        `event: two${eol}data: 2a${eol}data: 2b${eol}${eol}`,
        `id: 3${eol}data${eol}${eol}`,
      ];
      const stream = sse(`${events.join('')}data: four${eol}${eol}`);
      let end = 0;
      for (let n = 1; n <= 3; n++) {
        end += Buffer.byteLength(events[n - 1]!);
        expect([JSON.stringify(eol), n, cutEverywhere({ unit: 'events', count: n }, stream)]).toEqual([
          JSON.stringify(eol),
          n,
          end,
        ]);
      }
      expect(cutEverywhere({ unit: 'events', count: 5 }, stream)).toBe(-1);
    }
  });

  it('lets a stream that ends right after the CR of its Nth event pass whole (no byte comes to say whether a LF follows)', () => {
    expect(cutIn({ unit: 'events', count: 1 }, [sse('data: a\r\r')])).toBe(-1);
    expect(cutIn({ unit: 'events', count: 1 }, [sse('data: a\n\n')])).toBe(9);
  });

  it('does not count blocks that dispatch no event: comments, fields without data, `datax:`', () => {
    const first = ': keep-alive\n\nevent: only-a-type\n\ndatax: not data\n\nretry: 1000\n\n';
    const stream = sse(`${first}data: the first event\n\ndata: the second\n\n`);
    expect(cutEverywhere({ unit: 'events', count: 1 }, stream)).toBe(Buffer.byteLength(`${first}data: the first event\n\n`));
  });

  it('mixes line ends, and a CR ending the event as the last byte of a chunk waits for the next one', () => {
    // `\n` ends the data line, `\r\n` is the blank line: the cut falls after its LF.
    const stream = sse('data: a\n\r\ndata: b\r\rdata: c\n\n');
    expect(cutEverywhere({ unit: 'events', count: 1 }, stream)).toBe(10);
    expect(cutEverywhere({ unit: 'events', count: 2 }, stream)).toBe(19);
    // A CR-only stream cut right after its CR: the next chunk decides, and gives no byte of its own.
    expect(cutIn({ unit: 'events', count: 2 }, [sse('data: a\n\r\ndata: b\r\r'), sse('data: c\n\n')])).toBe(19);
    expect(cutIn({ unit: 'events', count: 1 }, [sse('data: a\r\r'), sse('\ndata: b\n\n')])).toBe(10);
  });

  it('skips a leading byte order mark, and counts UTF-8 data', () => {
    const stream = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), sse('data: naïve ☃\n\ndata: 2\n\n')]);
    expect(cutEverywhere({ unit: 'events', count: 1 }, stream)).toBe(3 + Buffer.byteLength('data: naïve ☃\n\n'));
  });
});
