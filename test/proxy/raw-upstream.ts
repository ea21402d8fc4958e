import net from 'node:net';
import { closeServer, listenOn } from '../helpers/http.js';

/** One request as the upstream received it on the wire. */
export interface RawRequest {
  /** The request line, e.g. `MKCOL /dir/ HTTP/1.1`. */
  line: string;
  /** Header fields in wire order and case. */
  headers: [string, string][];
  /** `none`, `length` (Content-Length) or `chunked`. */
  framing: 'none' | 'length' | 'chunked';
  /** The body, de-chunked when chunked. */
  body: Buffer;
  /** Trailer fields of a chunked body. */
  trailers: [string, string][];
  /** The request exactly as it arrived: head, framing and body bytes. */
  raw: Buffer;
}

export interface RawUpstreamOptions {
  /**
   * What to do with a head carrying `Expect: 100-continue`: nothing (the default, like a server that
   * ignores it), `continue` (write `100 Continue`, then read the body), or `{ refuse }`: write these
   * raw response bytes at once, without reading the body, and close the connection (the request is
   * recorded without a body; bytes that still arrive are counted in `afterRefusal`).
   */
  readonly expect?: 'continue' | { readonly refuse: string };
}

export interface RawUpstream {
  url: string;
  seen: RawRequest[];
  /** Bytes that arrived on connections after their request was refused. */
  afterRefusal(): number;
  /** Connections accepted so far. */
  connections(): number;
  close(): Promise<void>;
}

/**
 * An upstream on a bare TCP server that parses each request itself (so it records exactly what
 * arrived: no framing added or removed by a library) and answers `200` with `ok`. Keep-alive:
 * several requests per connection are parsed in order.
 */
export async function rawUpstream(options: RawUpstreamOptions = {}): Promise<RawUpstream> {
  const seen: RawRequest[] = [];
  let afterRefusal = 0;
  let connections = 0;
  const server = net.createServer((socket) => {
    connections++;
    let buffer = Buffer.alloc(0);
    /** `100 Continue` was written for the head at the start of the buffer. */
    let continued = false;
    let refused = false;
    socket.on('error', () => {});
    socket.on('data', (chunk: Buffer) => {
      if (refused) {
        afterRefusal += chunk.length;
        return;
      }
      buffer = Buffer.concat([buffer, chunk]);
      for (let i = 0; i < 100; i++) {
        const expect = options.expect;
        const headEnd = buffer.indexOf('\r\n\r\n');
        if (expect !== undefined && !continued && headEnd !== -1 && EXPECT.test(buffer.subarray(0, headEnd).toString('latin1'))) {
          if (expect === 'continue') {
            continued = true;
            socket.write('HTTP/1.1 100 Continue\r\n\r\n');
          } else {
            refused = true;
            const head = buffer.subarray(0, headEnd + 4);
            afterRefusal += buffer.length - head.length;
            const { line, headers } = parseHead(head.subarray(0, headEnd));
            const te = headers.some(([n]) => n.toLowerCase() === 'transfer-encoding');
            const framing = te ? 'chunked' : headers.some(([n]) => n.toLowerCase() === 'content-length') ? 'length' : 'none';
            seen.push({ line, headers, framing, body: Buffer.alloc(0), trailers: [], raw: head });
            socket.end(expect.refuse);
            return;
          }
        }
        const parsed = parseOne(buffer);
        if (parsed === null) return;
        buffer = buffer.subarray(parsed.used);
        continued = false;
        seen.push(parsed.request);
        const head = parsed.request.line.startsWith('HEAD ');
        socket.write(`HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Seen: ${seen.length}\r\n\r\n${head ? '' : 'ok'}`);
      }
    });
  });
  const port = await listenOn(server);
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    afterRefusal: () => afterRefusal,
    connections: () => connections,
    close: () => closeServer(server),
  };
}

const EXPECT = /\r\nexpect:[ \t]*100-continue[ \t]*(?:\r\n|$)/i;

function parseHead(head: Buffer): { line: string; headers: [string, string][] } {
  const lines = head.toString('latin1').split('\r\n');
  const line = lines.shift() ?? '';
  const headers = lines.map((l): [string, string] => {
    const colon = l.indexOf(':');
    return [l.slice(0, colon), l.slice(colon + 1).trim()];
  });
  return { line, headers };
}

function parseOne(buf: Buffer): { request: RawRequest; used: number } | null {
  const end = buf.indexOf('\r\n\r\n');
  if (end === -1) return null;
  const { line, headers } = parseHead(buf.subarray(0, end));
  const find = (name: string): string | undefined => headers.find(([n]) => n.toLowerCase() === name)?.[1];
  let pos = end + 4;
  const te = find('transfer-encoding');
  const cl = find('content-length');
  if (te !== undefined && te.toLowerCase().includes('chunked')) {
    const parts: Buffer[] = [];
    for (let i = 0; i < 100_000; i++) {
      const lineEnd = buf.indexOf('\r\n', pos);
      if (lineEnd === -1) return null;
      const size = parseInt(buf.subarray(pos, lineEnd).toString('latin1'), 16);
      pos = lineEnd + 2;
      if (size === 0) {
        const trailers: [string, string][] = [];
        for (let j = 0; j < 100; j++) {
          const tEnd = buf.indexOf('\r\n', pos);
          if (tEnd === -1) return null;
          const t = buf.subarray(pos, tEnd).toString('latin1');
          pos = tEnd + 2;
          if (t === '') break;
          const colon = t.indexOf(':');
          trailers.push([t.slice(0, colon), t.slice(colon + 1).trim()]);
        }
        const raw = buf.subarray(0, pos);
        return { request: { line, headers, framing: 'chunked', body: Buffer.concat(parts), trailers, raw }, used: pos };
      }
      if (buf.length < pos + size + 2) return null;
      parts.push(buf.subarray(pos, pos + size));
      pos += size + 2;
    }
    return null;
  }
  if (cl !== undefined) {
    const n = Number(cl);
    if (buf.length < pos + n) return null;
    const raw = buf.subarray(0, pos + n);
    return { request: { line, headers, framing: 'length', body: buf.subarray(pos, pos + n), trailers: [], raw }, used: pos + n };
  }
  return {
    request: { line, headers, framing: 'none', body: Buffer.alloc(0), trailers: [], raw: buf.subarray(0, pos) },
    used: pos,
  };
}
