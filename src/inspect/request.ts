import net, { type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import tls from 'node:tls';
import { FaultlineError } from '../errors.js';
import { decodeContent } from './decode.js';
import { requestError } from './failure.js';
import { NotHttpError } from './head.js';
import { hasHeader, headerValue } from './headers.js';
import type { Exchange, HeaderPair, Timings } from './types.js';
import { ResponseReader } from './wire.js';

/** A request ready for the wire: every header that will be sent is in `headers`. */
export interface PreparedRequest {
  method: string;
  url: URL;
  headers: HeaderPair[];
  body: Buffer | null;
}

export interface ExchangeOptions {
  timeoutMs: number;
  captureBytes: number;
}

/**
 * After a response ends as framed, bytes a bodiless response or a short Content-Length should not
 * have carried may still be on their way; wait this long for them (or for the server to close).
 */
const TRAILING_GRACE_MS = 100;
const USER_AGENT = 'faultline-inspect';
/** Methods for which clients send no Content-Length when there is no body. */
const NO_DEFAULT_LENGTH = new Set(['GET', 'HEAD', 'DELETE', 'OPTIONS', 'TRACE', 'CONNECT']);
/** Charsets whose bytes all map to one character each: analyse them as such, not as UTF-8. */
const SINGLE_BYTE = /charset\s*=\s*"?(?:iso-8859-1|latin1|windows-1252|us-ascii|ascii)"?/i;

/** Add the headers a client adds anyway, so the printed request is exactly what was sent. */
export function prepareRequest(url: URL, method: string, user: readonly HeaderPair[], body: Buffer | null): PreparedRequest {
  const headers: HeaderPair[] = [];
  if (!hasHeader(user, 'host')) headers.push(['Host', url.host]);
  headers.push(...user);
  if (!hasHeader(user, 'user-agent')) headers.push(['User-Agent', USER_AGENT]);
  if (!hasHeader(user, 'accept')) headers.push(['Accept', '*/*']);
  const framed = hasHeader(user, 'content-length') || hasHeader(user, 'transfer-encoding');
  if (!framed && (body !== null || !NO_DEFAULT_LENGTH.has(method))) {
    headers.push(['Content-Length', String(body?.length ?? 0)]);
  }
  // Keep-alive, so the server has no reason to close: bytes after the framed end show up (TRAILING_GRACE_MS).
  if (!hasHeader(user, 'connection')) headers.push(['Connection', 'keep-alive']);
  return { method, url, headers, body };
}

/**
 * Perform one request (no redirects) over a socket of its own, writing the request and reading the
 * response bytes without any HTTP library in between: framing defects become facts, not failures.
 */
export function performExchange(p: PreparedRequest, o: ExchangeOptions): Promise<Exchange> {
  return new Promise((resolve, reject) => new ExchangeRun(p, o, resolve, reject).start());
}

const ms = (from: number, at: number | null): number | null => (at === null ? null : Math.round((at - from) * 100) / 100);

class ExchangeRun {
  private readonly t0 = performance.now();
  private readonly reader: ResponseReader;
  private readonly at = {
    dns: null as number | null,
    connect: null as number | null,
    tls: null as number | null,
    first: null as number | null,
    end: 0,
  };
  private socket: Socket | null = null;
  private timedOut = false;
  private done = false;
  private timer: NodeJS.Timeout | null = null;
  private grace: NodeJS.Timeout | null = null;

  constructor(
    private readonly p: PreparedRequest,
    private readonly o: ExchangeOptions,
    private readonly resolve: (e: Exchange) => void,
    private readonly reject: (e: Error) => void,
  ) {
    this.reader = new ResponseReader(p.method, o.captureBytes);
  }

  start(): void {
    const { url } = this.p;
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
    const s =
      url.protocol === 'https:'
        ? tls.connect({ host, port, servername: net.isIP(host) === 0 ? host : undefined, ALPNProtocols: ['http/1.1'] })
        : net.connect({ host, port });
    this.socket = s;
    s.once('lookup', () => (this.at.dns = performance.now()));
    s.once('connect', () => (this.at.connect = performance.now()));
    s.once('secureConnect', () => (this.at.tls = performance.now()));
    s.on('data', (chunk: Buffer) => this.onData(chunk));
    s.on('error', (err: Error) => this.onError(err));
    s.on('close', () => this.onClose());
    this.timer = setTimeout(() => this.onTimeout(), this.o.timeoutMs);
    s.write(this.requestBytes());
  }

  private requestBytes(): Buffer {
    const { url, method, headers, body } = this.p;
    const head = [`${method} ${url.pathname}${url.search} HTTP/1.1`, ...headers.map(([n, v]) => `${n}: ${v}`), '', ''].join(
      '\r\n',
    );
    return body === null ? Buffer.from(head, 'latin1') : Buffer.concat([Buffer.from(head, 'latin1'), body]);
  }

  private onData(chunk: Buffer): void {
    if (this.done) return;
    this.at.first ??= performance.now();
    try {
      this.reader.push(chunk);
    } catch (err) {
      if (!(err instanceof NotHttpError)) throw err;
      return this.fail(
        new FaultlineError(
          'FAULTLINE_UPSTREAM_UNREACHABLE',
          `${this.p.url.host} answered, but not with HTTP/1.x: ${err.message}`,
        ),
      );
    }
    // Ended as framed, or a chunked body broken past repair: wait briefly for stray bytes, then judge.
    if (this.reader.head !== null && (this.reader.ended || this.reader.chunkError !== null) && this.grace === null) {
      this.at.end = performance.now();
      this.grace = setTimeout(() => this.finish(), TRAILING_GRACE_MS);
    }
  }

  private onError(err: Error): void {
    if (this.done || this.reader.head !== null) return; // after the head: the close that follows says it
    this.fail(requestError(err, this.p));
  }

  private onClose(): void {
    if (this.done) return;
    if (this.reader.head === null) {
      const partial = this.reader.partialHeadBytes;
      const host = this.p.url.host;
      return this.fail(
        new FaultlineError(
          'FAULTLINE_UPSTREAM_RESET',
          partial === 0
            ? `${host} closed the connection without answering`
            : `${host} closed the connection in the middle of the response head (${partial} bytes)`,
        ),
      );
    }
    if (!this.reader.ended || this.grace === null) this.at.end = performance.now();
    this.reader.close();
    this.finish();
  }

  private onTimeout(): void {
    if (this.reader.head === null) {
      return this.fail(
        new FaultlineError('FAULTLINE_UPSTREAM_TIMEOUT', `no response from ${this.p.url.host} within ${this.o.timeoutMs} ms`),
      );
    }
    this.timedOut = true;
    this.at.end = performance.now();
    this.finish();
  }

  private settle(): void {
    this.done = true;
    if (this.timer !== null) clearTimeout(this.timer);
    if (this.grace !== null) clearTimeout(this.grace);
    this.socket?.destroy();
  }

  private fail(err: Error): void {
    if (this.done) return;
    this.settle();
    this.reject(err);
  }

  private finish(): void {
    if (this.done || this.reader.head === null) return;
    this.settle();
    this.resolve(this.build());
  }

  private build(): Exchange {
    const r = this.reader;
    const head = r.head!;
    const body = r.capture();
    const truncated = r.bodyBytes > body.length && r.kind !== 'none';
    const complete = r.ended && r.chunkError === null && !this.timedOut;
    const coding = r.kind === 'none' ? null : headerValue(head.headers, 'content-encoding');
    const decoded = decodeContent(body, coding, truncated || !complete, this.o.captureBytes);
    const charset = SINGLE_BYTE.test(headerValue(head.headers, 'content-type') ?? '') ? 'latin1' : 'utf8';
    const timings: Timings = {
      dnsMs: ms(this.t0, this.at.dns),
      connectMs: ms(this.t0, this.at.connect),
      tlsMs: ms(this.t0, this.at.tls),
      firstByteMs: ms(this.t0, this.at.first),
      totalMs: ms(this.t0, this.at.end) ?? 0,
    };
    return {
      request: { method: this.p.method, url: this.p.url.href, headers: this.p.headers, bodyBytes: this.p.body?.length ?? 0 },
      response: {
        httpVersion: head.httpVersion,
        status: head.status,
        statusText: head.statusText,
        headers: head.headers,
        bodyBytes: r.bodyBytes,
        body,
        bodyTruncated: truncated,
        content: decoded.bytes,
        text: decoded.bytes.toString(charset),
        codingError: decoded.error,
        complete,
        timedOut: this.timedOut,
        protocolError: head.syntax[0] ?? r.chunkError,
        framing: { kind: r.kind, extraBytes: r.extraBytes, chunkError: r.chunkError, headSyntax: head.syntax },
      },
      timings,
    };
  }
}
