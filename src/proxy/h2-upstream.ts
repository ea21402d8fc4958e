import { STATUS_CODES } from 'node:http';
import http2, { type ClientHttp2Session, type ClientHttp2Stream, type OutgoingHttpHeaders } from 'node:http2';
import { isIP } from 'node:net';
import type { Readable } from 'node:stream';
import tls from 'node:tls';

const { NGHTTP2_CANCEL, NGHTTP2_FLAG_END_STREAM, NGHTTP2_REFUSED_STREAM } = http2.constants;

/** The request as the forwarder (upstream-call.ts) hands it to a dispatcher. */
export interface UpstreamRequest {
  readonly path: string;
  readonly method: string;
  /** `[name, value, ...]` as upstreamRequestHeaders builds them, `Host` included. */
  readonly headers: string[];
  readonly body: Readable | null;
}

/** The calls a dispatcher makes on the forwarder: undici's legacy dispatch handler. */
export interface UpstreamHandler {
  onConnect(abort: (err?: Error) => void): void;
  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void, statusText: string): boolean;
  onData(chunk: Buffer): boolean;
  onComplete(trailers: string[] | null): void;
  onError(err: Error): void;
}

/** What forwarding needs of the upstream's connections: undici's Pool, or HTTP/2 sessions. */
export interface UpstreamDispatcher {
  dispatch(request: UpstreamRequest, handler: UpstreamHandler): boolean;
  destroy(): Promise<void>;
}

export interface H2Options {
  /** No response head, or no body byte while the client reads, within this: a timeout (0: none). */
  readonly timeoutMs: number;
  /** TLS with ALPN (h2 offered, http/1.1 accepted), or null for h2c with prior knowledge. */
  readonly tls: { readonly rejectUnauthorized: boolean } | null;
  /** Where requests go once the TLS upstream declined h2 (picked http/1.1 by ALPN). */
  readonly http1: UpstreamDispatcher | null;
}

/** An idle session (no stream open) is closed after this, like the HTTP/1.1 pool's keep-alive. */
const IDLE_MS = 4_000;
/** Connection-level receive window: a stream paused for a slow client holds only its own window. */
const CONNECTION_WINDOW = 16 * 1024 * 1024;

/**
 * HTTP/2 to the upstream on Node's http2 client, one session multiplexing every request, each a
 * stream driven through the same handler calls as undici's HTTP/1.1 pool (so the forwarder and its
 * fault plans do not know which protocol is under them). Written for faultline instead of undici's
 * HTTP/2 client, which drops response body bytes still buffered behind backpressure when trailers
 * arrive (gRPC's every response), fails streams sharing a connection that gets GOAWAY, and drops a
 * GET's body.
 *
 * The response: head (pseudo-headers left out, the standard reason phrase, since HTTP/2 has none),
 * body with backpressure (a paused stream stops reading and its WINDOW_UPDATEs), raw trailers once
 * the body was read to its end. A stream the upstream resets, or that closes without ending, is an
 * error; REFUSED_STREAM (never processed, RFC 9113 §8.7) is reported like a connection reset so a
 * body-less GET is retried. Aborting sends RST_STREAM(CANCEL) once.
 */
export class H2Upstream implements UpstreamDispatcher {
  private readonly origin: URL;
  private readonly options: H2Options;
  private readonly scheme: string;
  private current: Session | null = null;
  /** TLS handshake in progress: requests wait for ALPN's answer. */
  private waiting: Pending[] | null = null;
  private connecting: tls.TLSSocket | null = null;
  /** The TLS upstream answered ALPN with http/1.1: everything goes to options.http1. */
  private declined = false;
  private destroyed = false;

  constructor(origin: URL, options: H2Options) {
    this.origin = origin;
    this.options = options;
    this.scheme = options.tls === null ? 'http' : 'https';
  }

  dispatch(request: UpstreamRequest, handler: UpstreamHandler): boolean {
    return this.send({ request, handler, feed: null, refused: 0, again: this.again });
  }

  private send(pending: Pending): boolean {
    const { request, handler } = pending;
    if (this.declined && this.options.http1 !== null) {
      // ALPN picked HTTP/1.1; a request already on its second try has a body feed that was read from.
      if (pending.feed === null) return this.options.http1.dispatch(request, handler);
      handler.onError(upstreamError('the upstream refused the stream', 'ECONNRESET'));
      return false;
    }
    if (this.destroyed) {
      handler.onError(upstreamError('faultline is shutting down', 'UND_ERR_DESTROYED'));
      return false;
    }
    const live = this.current;
    if (live !== null && live.usable()) {
      live.start(pending, this.scheme, this.options.timeoutMs);
      return true;
    }
    if (this.options.tls === null) {
      this.current = new Session(http2.connect(this.origin.origin, SESSION_OPTIONS), () => this.forget());
      this.current.start(pending, this.scheme, this.options.timeoutMs);
      return true;
    }
    (this.waiting ??= []).push(pending);
    if (this.connecting === null) this.connectTls(this.options.tls.rejectUnauthorized);
    return true;
  }

  /** A stream the upstream did not process (refused, or beyond a GOAWAY's last stream): sent again. */
  private readonly again = (pending: Pending): void => {
    pending.refused++;
    this.send(pending);
  };

  destroy(): Promise<void> {
    this.destroyed = true;
    this.connecting?.destroy();
    this.current?.session.destroy();
    this.current = null;
    this.flush(upstreamError('faultline is shutting down', 'UND_ERR_DESTROYED'));
    return this.options.http1?.destroy() ?? Promise.resolve();
  }

  private forget(): void {
    if (this.current !== null && !this.current.usable()) this.current = null;
  }

  /** Open TLS offering h2 first; the upstream's pick decides where the waiting requests go. */
  private connectTls(rejectUnauthorized: boolean): void {
    const host = this.origin.hostname.replace(/^\[|\]$/g, '');
    const socket = tls.connect({
      host,
      port: Number(this.origin.port === '' ? 443 : this.origin.port),
      ALPNProtocols: ['h2', 'http/1.1'],
      rejectUnauthorized,
      ...(isIP(host) === 0 ? { servername: host } : {}),
    });
    this.connecting = socket;
    // An upstream that takes the connection but never finishes the handshake: fail as undici's connect timeout does.
    const timer = setTimeout(
      () => fail(upstreamError('no TLS handshake with the upstream in time', 'UND_ERR_CONNECT_TIMEOUT')),
      connectTimeout(this.options.timeoutMs),
    );
    const fail = (err: Error): void => {
      clearTimeout(timer);
      this.connecting = null;
      socket.destroy();
      this.flush(err);
    };
    socket.once('close', () => clearTimeout(timer));
    socket.once('error', fail);
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      socket.off('error', fail);
      this.connecting = null;
      if (socket.alpnProtocol !== 'h2' && this.options.http1 !== null) {
        this.declined = true;
        socket.destroy();
      } else {
        this.current = new Session(
          http2.connect(this.origin.origin, { ...SESSION_OPTIONS, createConnection: () => socket }),
          () => this.forget(),
        );
      }
      this.flush(null);
    });
  }

  /** Hand the requests that waited for the handshake on, or fail them with its error. */
  private flush(err: Error | null): void {
    const waiting = this.waiting;
    this.waiting = null;
    if (waiting === null) return;
    for (const pending of waiting) {
      if (err === null) this.send(pending);
      else {
        pending.feed?.destroy();
        pending.handler.onError(err);
      }
    }
  }
}

const SESSION_OPTIONS: http2.ClientSessionOptions = { settings: { enablePush: false } };

/** undici's default connect timeout, shortened to the upstream timeout when that is shorter. */
function connectTimeout(timeoutMs: number): number {
  return timeoutMs > 0 ? Math.min(timeoutMs, 10_000) : 10_000;
}

/** A request on its way to a stream, and again to another when the upstream did not process it. */
interface Pending {
  readonly request: UpstreamRequest;
  readonly handler: UpstreamHandler;
  /** The request body as fed to the streams, created with the first; null without a body. */
  feed: BodyFeed | null;
  /** How many times the upstream refused it so far. */
  refused: number;
  readonly again: (pending: Pending) => void;
}

/** Times a request is sent again after the upstream did not process it, before its refusal is the answer. */
const MAX_REFUSALS = 2;
/** A refused request is sent again only while no more than this of its body was read (it is kept). */
const REPLAY_LIMIT = 1024 * 1024;

/** One HTTP/2 connection to the upstream and the streams open on it. */
class Session {
  readonly session: ClientHttp2Session;
  private readonly onGone: () => void;
  private open = 0;
  private idleTimer: NodeJS.Timeout | null = null;
  private draining = false;

  constructor(session: ClientHttp2Session, onGone: () => void) {
    this.session = session;
    this.onGone = onGone;
    // Session errors reach every open stream as its own error or close; nothing more to do here.
    session.on('error', () => undefined);
    session.once('connect', () => session.setLocalWindowSize(CONNECTION_WINDOW));
    // GOAWAY: the streams the upstream took finish; new requests go to a new connection.
    session.once('goaway', () => this.retire());
    session.once('close', () => this.retire());
  }

  usable(): boolean {
    return !this.draining && !this.session.closed && !this.session.destroyed;
  }

  start(pending: Pending, scheme: string, timeoutMs: number): void {
    const request = pending.request;
    let stream: ClientHttp2Stream;
    try {
      stream = this.session.request(requestHeaders(request, scheme), { endStream: request.body === null });
    } catch (err) {
      // Fields HTTP/2 cannot carry (a repeated single-value field, say): nothing was sent.
      pending.feed?.destroy();
      pending.handler.onError(err as Error);
      return;
    }
    this.open++;
    if (this.idleTimer !== null) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    if (request.body !== null) pending.feed ??= new BodyFeed(request.body);
    new H2Call(stream, pending, timeoutMs, this.ended);
  }

  private readonly ended = (): void => {
    this.open--;
    if (this.open > 0 || !this.usable()) return;
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null;
      if (this.open === 0) this.retire();
    }, IDLE_MS);
    this.idleTimer.unref();
  };

  private retire(): void {
    if (this.idleTimer !== null) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    this.draining = true;
    if (!this.session.closed) this.session.close();
    this.onGone();
  }
}

/** Pseudo-headers from the request line, `Host` as `:authority`, every other field lower-case. */
function requestHeaders(request: UpstreamRequest, scheme: string): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = { ':method': request.method, ':scheme': scheme, ':path': request.path };
  const list = request.headers;
  for (let i = 0; i < list.length; i += 2) {
    const name = (list[i] as string).toLowerCase();
    const value = list[i + 1] as string;
    if (name === 'host') {
      out[':authority'] = value;
      continue;
    }
    const seen = out[name];
    out[name] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [String(seen), value];
  }
  return out;
}

/** One request on one stream: the stream's events turned into the handler's calls, each once. */
class H2Call {
  private readonly stream: ClientHttp2Stream;
  private readonly pending: Pending;
  private readonly handler: UpstreamHandler;
  private readonly feed: BodyFeed | null;
  private readonly timeoutMs: number;
  private readonly onClosed: () => void;
  private headSeen = false;
  private headersOnly = false;
  /** onComplete or onError was called: the handler hears nothing more. */
  private settled = false;
  private trailers: string[] | null = null;

  constructor(stream: ClientHttp2Stream, pending: Pending, timeoutMs: number, onClosed: () => void) {
    this.stream = stream;
    this.pending = pending;
    this.handler = pending.handler;
    this.feed = pending.feed;
    this.timeoutMs = timeoutMs;
    this.onClosed = onClosed;
    if (timeoutMs > 0) stream.setTimeout(timeoutMs);
    stream.on('timeout', this.onTimeout);
    stream.on('response', this.onResponse);
    stream.on('data', this.onData);
    stream.on('trailers', this.onTrailers);
    stream.on('end', this.onEnd);
    stream.on('error', this.onStreamError);
    stream.on('close', this.onClose);
    this.handler.onConnect(this.abort);
    if (this.feed !== null && !this.settled) this.feed.attach(stream, this.fail);
  }

  private readonly onResponse = (headers: http2.IncomingHttpHeaders, flags: number, raw: string[]): void => {
    if (this.settled) return;
    this.headSeen = true;
    // Answered: the upstream took the stream, so it will not be sent again.
    this.feed?.forget();
    const status = Number(headers[':status']);
    const fields: Buffer[] = [];
    for (let i = 0; i < raw.length; i += 2) {
      const name = raw[i] as string;
      if (name.charCodeAt(0) === 58 /* ':' */) continue;
      fields.push(Buffer.from(name, 'latin1'), Buffer.from(raw[i + 1] as string, 'latin1'));
    }
    // HEADERS with END_STREAM (a trailers-only gRPC answer): complete in the same tick, once the
    // forwarder takes more, so the client's answer can leave as one HEADERS frame too (h2-head.ts).
    this.headersOnly = (flags & NGHTTP2_FLAG_END_STREAM) !== 0;
    if (!this.handler.onHeaders(status, fields, this.resume, STATUS_CODES[status] ?? '')) this.pause();
    else if (this.headersOnly) this.complete();
  };

  private complete(): void {
    if (this.settled) return;
    this.settled = true;
    this.handler.onComplete(this.trailers);
  }

  private readonly onData = (chunk: Buffer): void => {
    if (this.settled) return;
    if (!this.handler.onData(chunk)) this.pause();
  };

  private readonly onTrailers = (_headers: http2.IncomingHttpHeaders, _flags: number, raw: string[]): void => {
    this.trailers = raw;
  };

  /** The body was read to its end (a paused stream ends only once its buffered bytes are out). */
  private readonly onEnd = (): void => {
    if (this.settled) return;
    if (!this.headSeen) {
      this.fail(upstreamError('the upstream ended the stream without a response', 'UND_ERR_SOCKET'));
      return;
    }
    this.complete();
  };

  private readonly onClose = (): void => {
    this.onClosed();
    this.failClosed();
  };

  /** The stream closed before its end: reset by the upstream, or its connection gone. */
  private failClosed(): void {
    if (this.settled) return;
    const code = this.stream.rstCode;
    // Never processed (RFC 9113 §8.7; a GOAWAY's streams beyond its last one close so too): safe to
    // send again whatever the method, on a new connection after a GOAWAY. Past the tries, reported
    // like a keep-alive connection closed under a request.
    if (code === NGHTTP2_REFUSED_STREAM && !this.headSeen) {
      const pending = this.pending;
      if (pending.refused < MAX_REFUSALS && (this.feed === null || this.feed.replayable())) {
        this.settled = true;
        this.feed?.detach();
        pending.again(pending);
        return;
      }
      this.fail(upstreamError('the upstream refused the stream', 'ECONNRESET'));
    } else this.fail(upstreamError(`the upstream closed the stream (RST_STREAM ${code})`, 'UND_ERR_SOCKET'));
  }

  private readonly onStreamError = (err: NodeJS.ErrnoException): void => {
    // A stream cancelled because its session failed: the session's error (refused, TLS...) is the news.
    const cause: unknown = err.cause;
    if (err.code === 'ERR_HTTP2_STREAM_CANCEL' && cause instanceof Error) this.fail(cause);
    else if (err.code === 'ERR_HTTP2_STREAM_ERROR') this.failClosed();
    else this.fail(err);
  };

  private readonly onTimeout = (): void => {
    this.fail(
      this.headSeen
        ? upstreamError('no response body byte in time', 'UND_ERR_BODY_TIMEOUT')
        : upstreamError('no response head in time', 'UND_ERR_HEADERS_TIMEOUT'),
    );
  };

  private pause(): void {
    // Waiting for the client is not the upstream being late.
    if (this.timeoutMs > 0) this.stream.setTimeout(0);
    this.stream.pause();
  }

  private readonly resume = (): void => {
    if (this.settled) return;
    if (this.headersOnly) {
      this.complete();
      return;
    }
    if (this.timeoutMs > 0) this.stream.setTimeout(this.timeoutMs);
    this.stream.resume();
  };

  /** The forwarder gave up on this request (client gone, a cut): RST_STREAM(CANCEL), once. */
  private readonly abort = (err?: Error): void => {
    this.fail(err ?? upstreamError('request aborted', 'UND_ERR_ABORTED'));
  };

  private readonly fail = (err: Error): void => {
    if (this.settled) return;
    this.settled = true;
    if (!this.stream.closed) this.stream.close(NGHTTP2_CANCEL);
    this.feed?.destroy();
    this.handler.onError(err);
  };
}

/**
 * A request body fed into its stream with backpressure, its bytes kept while they are few, so a
 * stream the upstream refused can be sent again on another from the first byte.
 */
class BodyFeed {
  private readonly body: Readable;
  /** The body's bytes read so far, or null once more than REPLAY_LIMIT were. */
  private kept: Buffer[] | null = [];
  private keptBytes = 0;
  private ended = false;
  private stream: ClientHttp2Stream | null = null;
  private onError: ((err: Error) => void) | null = null;

  constructor(body: Readable) {
    this.body = body;
    body.pause();
    body.on('data', this.onData);
    body.on('end', this.onEnd);
    body.on('error', this.onBodyError);
  }

  replayable(): boolean {
    return this.kept !== null;
  }

  /** Feed `stream`: the kept bytes first, when it is not the first, then the rest as it comes. */
  attach(stream: ClientHttp2Stream, onError: (err: Error) => void): void {
    this.stream = stream;
    this.onError = onError;
    stream.on('drain', this.onDrain);
    for (const chunk of this.kept ?? []) stream.write(chunk);
    if (this.ended) stream.end();
    else if (!stream.writableNeedDrain) this.body.resume();
  }

  /** The stream was taken: its bytes need not be kept any more. */
  forget(): void {
    this.kept = null;
  }

  /** The stream is gone (refused): hold the body until the next one. */
  detach(): void {
    this.body.pause();
    this.stream?.off('drain', this.onDrain);
    this.stream = null;
    this.onError = null;
  }

  destroy(): void {
    this.detach();
    this.kept = null;
    this.body.off('data', this.onData);
    this.body.destroy();
  }

  private readonly onData = (chunk: Buffer): void => {
    if (this.kept !== null) {
      this.keptBytes += chunk.length;
      if (this.keptBytes <= REPLAY_LIMIT) this.kept.push(chunk);
      else this.kept = null;
    }
    if (this.stream !== null && !this.stream.write(chunk)) this.body.pause();
  };

  private readonly onDrain = (): void => {
    if (!this.ended) this.body.resume();
  };

  private readonly onEnd = (): void => {
    this.ended = true;
    this.stream?.end();
  };

  private readonly onBodyError = (err: Error): void => {
    this.onError?.(err);
  };
}

function upstreamError(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}
