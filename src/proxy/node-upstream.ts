import http from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import type { ProxyRequest } from './messages.js';

/** The methods undici frames as "expects a payload" (undici/lib/dispatcher/client-h1.js, writeH1). */
const PAYLOAD_METHODS = new Set(['PUT', 'POST', 'PATCH', 'QUERY', 'PROPFIND', 'PROPPATCH']);

/**
 * Must this HTTP/1.x request go through {@link NodeUpstream} to reach the upstream as sent? undici,
 * the fast path, cannot carry it exactly when:
 * - it has no body and undici would frame it differently: undici writes `content-length: 0` on a
 *   PUT, POST, PATCH, QUERY, PROPFIND or PROPPATCH sent without one, and drops a client's
 *   `Content-Length: 0` on any other method;
 * - its body is chunked: it may end with trailers, which undici cannot send;
 * - it asks `Expect: 100-continue` (`expectContinue`): undici refuses the field, and the upstream's
 *   own `100 Continue`, or its refusal before the body, is what the client must see.
 */
export function needsNodeHttp(req: ProxyRequest, expectContinue: boolean): boolean {
  if (req.httpVersionMajor !== 1) return false;
  if (expectContinue || req.headers['transfer-encoding'] !== undefined) return true;
  const hasLength = req.headers['content-length'] !== undefined;
  return PAYLOAD_METHODS.has(req.method ?? '') ? !hasLength : hasLength;
}

/** What the hot path hands this client. */
export interface NodeRequest {
  readonly path: string;
  readonly method: string;
  /**
   * Raw `[name, value, ...]` pairs, in the order and case to send, with the client's own
   * `Transfer-Encoding` and `Expect` where it sent them.
   */
  readonly headers: string[];
  /** The request body (request-body.ts), or null for none. */
  readonly body: Readable | null;
  /** The client's trailers, `[name, value, ...]`, read once the body has ended. */
  readonly trailers: () => readonly string[];
}

/** The callbacks of undici's (legacy) dispatch handler that this client drives; UpstreamCall has them. */
export interface ResponseHandler {
  onConnect(abort: (reason?: Error) => void): void;
  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void, statusText: string): boolean;
  onData(chunk: Buffer): boolean;
  onComplete(trailers: string[] | null): void;
  onError(err: Error): void;
  /** The upstream answered `100 Continue` to an `Expect: 100-continue` request. */
  onContinue(): void;
}

/**
 * The upstream client for the requests undici cannot carry exactly ({@link needsNodeHttp}):
 * node:http writes their head as given (the client's framing fields in their place and case, no
 * framing at all where it sent none), streams a chunked body chunk by chunk with the client's
 * trailers at its end, and reports the upstream's `100 Continue`; on its own keep-alive
 * connections. The response goes to the same dispatch handler as undici's (UpstreamCall), through
 * the same callbacks: connect, head, data with backpressure, trailers, error. The idle timeout is
 * the upstream timeout, as undici's headers and body timeouts.
 */
export class NodeUpstream {
  private readonly url: URL;
  private readonly agent: http.Agent;
  private readonly timeoutMs: number;

  constructor(url: URL, options: { timeoutMs: number; insecure: boolean; keepAliveMs: number }) {
    this.url = url;
    this.timeoutMs = options.timeoutMs;
    const agentOptions = { keepAlive: true, timeout: options.keepAliveMs };
    this.agent =
      url.protocol === 'https:'
        ? new https.Agent({ ...agentOptions, rejectUnauthorized: !options.insecure })
        : new http.Agent(agentOptions);
  }

  dispatch(request: NodeRequest, handler: ResponseHandler): void {
    try {
      this.send(request, handler);
    } catch (err) {
      // A head node:http refuses to write (it checks names and values again): an upstream failure.
      handler.onError(err as Error);
    }
  }

  private send(request: NodeRequest, handler: ResponseHandler): void {
    const url = this.url;
    const send = url.protocol === 'https:' ? https.request : http.request;
    const framed = request.body !== null || hasLength(request.headers);
    const req = send({
      host: url.hostname.replace(/^\[|\]$/g, ''),
      port: url.port === '' ? undefined : Number(url.port),
      method: request.method,
      path: request.path,
      agent: this.agent,
      setHost: false,
      // Framing fields as the client sent them: the raw pairs are written as they are, in order.
      ...(framed ? { headers: request.headers } : {}),
    });
    if (!framed) {
      // None from the client: none is written, and no chunked framing either (the one way to ask
      // node:http for that is to remove both; repeated names are then written together).
      for (let i = 0; i < request.headers.length; i += 2)
        req.appendHeader(request.headers[i] as string, request.headers[i + 1] as string);
      req.removeHeader('content-length');
      req.removeHeader('transfer-encoding');
    }
    let headSeen = false;
    let failed = false;
    const fail = (err: Error): void => {
      if (failed) return;
      failed = true;
      handler.onError(err);
    };
    let response: http.IncomingMessage | null = null;
    /** The handler gave up on a response that had already arrived whole: it is read out, unseen. */
    let dropped = false;
    handler.onConnect((reason?: Error) => {
      if (response !== null && response.complete) {
        // Nothing left to abandon (a cut on the last bytes of a small response): destroying now
        // would fail the socket Node hands back to the agent as the response ends, an 'error'
        // nobody listens to (a crash). It ends unseen instead, and its connection is reused.
        dropped = true;
        response.resume();
        return;
      }
      req.destroy(reason ?? abortError());
    });
    const timeoutMs = this.timeoutMs;
    if (timeoutMs > 0) {
      req.setTimeout(timeoutMs);
      req.on('timeout', () => {
        req.destroy(timeoutError(headSeen ? 'The upstream sent no body byte in time' : 'The upstream sent no answer in time'));
      });
    }
    req.on('error', fail);
    req.on('continue', () => handler.onContinue());
    req.on('response', (res: http.IncomingMessage) => {
      headSeen = true;
      response = res;
      // Waiting for the client (backpressure, a held head) is not the upstream being late.
      const pause = (): void => {
        // Given up on after it arrived whole (the handler's abort): read out, never paused again.
        if (dropped) return;
        if (timeoutMs > 0) req.setTimeout(0);
        res.pause();
      };
      const resume = (): void => {
        if (timeoutMs > 0) req.setTimeout(timeoutMs);
        res.resume();
      };
      res.on('error', fail);
      res.on('aborted', () =>
        fail(Object.assign(new Error('The upstream closed the connection mid-body'), { code: 'ECONNRESET' })),
      );
      res.on('data', (chunk: Buffer) => {
        if (!dropped && !handler.onData(chunk)) pause();
      });
      res.on('end', () => {
        if (failed) return;
        if (!dropped) handler.onComplete(res.rawTrailers.length > 0 ? res.rawTrailers : null);
        // Answered before the whole body went up (a refusal before `100 Continue`, an early error):
        // this connection is mid-request, so it is closed rather than reused.
        if (!req.writableEnded) req.destroy();
      });
      const raw = res.rawHeaders.map((v) => Buffer.from(v, 'latin1'));
      if (!handler.onHeaders(res.statusCode ?? 502, raw, resume, res.statusMessage ?? '')) pause();
    });
    if (request.body === null) req.end();
    else streamBody(request.body, req, request.trailers);
  }

  close(): void {
    this.agent.destroy();
  }
}

/** The body up, with backpressure both ways, then the client's trailers (chunked bodies only). */
function streamBody(body: Readable, req: http.ClientRequest, trailers: () => readonly string[]): void {
  const onDrain = (): void => {
    body.resume();
  };
  req.on('drain', onDrain);
  body.on('data', (chunk: Buffer) => {
    if (req.destroyed) return;
    if (!req.write(chunk)) body.pause();
  });
  body.on('end', () => {
    req.off('drain', onDrain);
    if (req.destroyed) return;
    const pairs = trailers();
    try {
      if (pairs.length > 0) {
        const fields: [string, string][] = [];
        for (let i = 0; i < pairs.length; i += 2) fields.push([pairs[i] as string, pairs[i + 1] as string]);
        req.addTrailers(fields);
      }
      req.end();
    } catch (err) {
      // A trailer node:http refuses to write (it checks names and values again): an upstream failure.
      req.destroy(err as Error);
    }
  });
  // The client left mid-upload, or the body was abandoned: the upstream request goes with it.
  body.on('error', (err: Error) => req.destroy(err));
}

function hasLength(pairs: readonly string[]): boolean {
  for (let i = 0; i < pairs.length; i += 2) if ((pairs[i] as string).toLowerCase() === 'content-length') return true;
  return false;
}

function timeoutError(message: string): Error {
  return Object.assign(new Error(message), { code: 'ESOCKETTIMEDOUT' });
}

function abortError(): Error {
  return Object.assign(new Error('The upstream request was abandoned'), { code: 'ECONNABORTED' });
}
