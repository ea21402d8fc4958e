import http from 'node:http';
import https from 'node:https';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { FaultlineError } from '../errors.js';
import { decodeForAnalysis } from './decode.js';
import { requestError } from './failure.js';
import { hasHeader, headerValue } from './headers.js';
import type { Exchange, HeaderPair, Timings } from './types.js';
import { WireTap } from './wire.js';

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
 * After a response ends, bytes a bodiless response or a short Content-Length should not have
 * carried may still be on their way; wait this long for them (or for the server to close).
 */
const TRAILING_GRACE_MS = 100;
const USER_AGENT = 'faultline-inspect';
/** Methods for which node sends no Content-Length of its own when there is no body. */
const NO_DEFAULT_LENGTH = new Set(['GET', 'HEAD', 'DELETE', 'OPTIONS', 'TRACE', 'CONNECT']);

/** Add the headers node would add anyway, so the printed request is exactly what was sent. */
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
  // Keep-alive, so node does not close the socket the moment the framing says the response ended:
  // trailing bytes (see TRAILING_GRACE_MS) would be lost.
  if (!hasHeader(user, 'connection')) headers.push(['Connection', 'keep-alive']);
  return { method, url, headers, body };
}

/** Perform one request (no redirects), timing it and capturing the response. */
export function performExchange(p: PreparedRequest, o: ExchangeOptions): Promise<Exchange> {
  return new Promise((resolve, reject) => new ExchangeRun(p, o, resolve, reject).start());
}

const ms = (from: number, at: number | null): number | null => (at === null ? null : Math.round((at - from) * 100) / 100);

class ExchangeRun {
  private readonly t0 = performance.now();
  private readonly tap: WireTap;
  private readonly agent: http.Agent;
  private readonly at = { dns: null as number | null, connect: null as number | null, tls: null as number | null, end: 0 };
  private socket: Socket | null = null;
  private res: IncomingMessage | null = null;
  private readonly decoded: Buffer[] = [];
  private decodedLength = 0;
  private decodedTotal = 0;
  private protocolError: string | null = null;
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
    this.tap = new WireTap(o.captureBytes);
    this.agent =
      p.url.protocol === 'https:'
        ? new https.Agent({ keepAlive: true, maxSockets: 1 })
        : new http.Agent({ keepAlive: true, maxSockets: 1 });
  }

  start(): void {
    const { url, method, headers, body } = this.p;
    const mod = url.protocol === 'https:' ? https : http;
    const req = mod.request({
      host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: url.port === '' ? undefined : Number(url.port),
      path: url.pathname + url.search,
      method,
      agent: this.agent,
      headers: headers.flat(),
    });
    req.on('socket', (s) => this.onSocket(s));
    req.on('response', (r) => this.onResponse(r));
    req.on('error', (e) => this.onError(e));
    this.timer = setTimeout(() => this.onTimeout(), this.o.timeoutMs);
    req.end(body ?? undefined);
  }

  private onSocket(s: Socket): void {
    this.socket = s;
    s.once('lookup', () => (this.at.dns = performance.now()));
    s.once('connect', () => (this.at.connect = performance.now()));
    s.once('secureConnect', () => (this.at.tls = performance.now()));
    s.on('data', (chunk: Buffer) => this.tap.push(chunk, performance.now()));
    s.once('close', () => {
      if (this.res !== null && this.res.destroyed) this.finish();
    });
  }

  private onResponse(res: IncomingMessage): void {
    this.res = res;
    res.on('data', (chunk: Buffer) => {
      this.decodedTotal += chunk.length;
      const room = this.o.captureBytes - this.decodedLength;
      if (room <= 0) return;
      const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
      this.decoded.push(part);
      this.decodedLength += part.length;
    });
    res.on('error', () => undefined); // an early close: `complete` stays false, which says it
    res.on('close', () => {
      this.at.end = performance.now();
      if (this.socket === null || this.socket.destroyed) this.finish();
      else this.grace = setTimeout(() => this.finish(), TRAILING_GRACE_MS);
    });
  }

  private onError(err: Error): void {
    if (this.done) return;
    if (this.res === null) return this.fail(requestError(err, this.p));
    // After the head: node's parser refused later bytes (e.g. a body after HEAD). Keep listening.
    this.protocolError ??= err.message;
  }

  private onTimeout(): void {
    if (this.res === null) {
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
    this.agent.destroy();
  }

  private fail(err: Error): void {
    if (this.done) return;
    this.settle();
    this.reject(err);
  }

  private finish(): void {
    if (this.done || this.res === null) return;
    this.settle();
    this.resolve(this.build(this.res));
  }

  private build(res: IncomingMessage): Exchange {
    const headers: HeaderPair[] = [];
    for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) headers.push([res.rawHeaders[i] ?? '', res.rawHeaders[i + 1] ?? '']);
    const status = res.statusCode ?? 0;
    const bodiless = this.p.method === 'HEAD' || status === 204 || status === 304 || status < 200;
    const chunked = !bodiless && /\bchunked\b/i.test(headerValue(headers, 'transfer-encoding') ?? '');
    // Chunked: node's de-chunked bytes. Otherwise: every byte after the head, to see overruns.
    const body = chunked ? Buffer.concat(this.decoded, this.decodedLength) : this.tap.body();
    const bodyBytes = chunked ? this.decodedTotal : this.tap.afterHead;
    const truncated = bodyBytes > body.length;
    const timings: Timings = {
      dnsMs: ms(this.t0, this.at.dns),
      connectMs: ms(this.t0, this.at.connect),
      tlsMs: ms(this.t0, this.at.tls),
      firstByteMs: ms(this.t0, this.tap.firstByteAt),
      totalMs: ms(this.t0, this.at.end) ?? 0,
    };
    return {
      request: { method: this.p.method, url: this.p.url.href, headers: this.p.headers, bodyBytes: this.p.body?.length ?? 0 },
      response: {
        httpVersion: res.httpVersion,
        status,
        statusText: res.statusMessage ?? '',
        headers,
        bodyBytes,
        body,
        bodyTruncated: truncated,
        text: decodeForAnalysis(body, headerValue(headers, 'content-encoding'), truncated, this.o.captureBytes),
        complete: res.complete && !this.timedOut,
        timedOut: this.timedOut,
        protocolError: this.protocolError,
      },
      timings,
    };
  }
}
