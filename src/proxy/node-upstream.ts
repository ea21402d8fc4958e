import http from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import type { ProxyRequest } from './messages.js';

/** The methods undici frames as "expects a payload" (undici/lib/dispatcher/client-h1.js, writeH1). */
const PAYLOAD_METHODS = new Set(['PUT', 'POST', 'PATCH', 'QUERY', 'PROPFIND', 'PROPPATCH']);

/**
 * Does this HTTP/1.x request need node:http ({@link NodeUpstream}) to reach the upstream as sent?
 *
 * - a body-less request undici would frame differently: it writes `content-length: 0` on a PUT,
 *   POST, PATCH, QUERY, PROPFIND or PROPPATCH sent without one, and drops a client's
 *   `Content-Length: 0` on any other method;
 * - on an HTTP/1.1 upstream (`http1Upstream`), a chunked request (undici cannot send request
 *   trailers) and one with `Expect: 100-continue` (`expectContinue`; undici refuses the field).
 *
 * Everything else (Content-Length bodies, the usual body-less requests) stays on undici.
 */
export function needsNodeHttp(req: ProxyRequest, expectContinue: boolean, http1Upstream: boolean): boolean {
  if (req.httpVersionMajor !== 1) return false;
  const chunked = req.headers['transfer-encoding'] !== undefined;
  if (http1Upstream && (expectContinue || chunked)) return true;
  if (chunked) return false;
  const length = req.headers['content-length'];
  return PAYLOAD_METHODS.has(req.method ?? '') ? length === undefined : length === '0';
}

/** What the hot path hands this client. */
export interface NodeRequest {
  readonly path: string;
  readonly method: string;
  /** Raw `[name, value, ...]` pairs, in the order and case to send (framing fields included). */
  readonly headers: string[];
  /** The request body (request-body.ts), or null for none. */
  readonly body: Readable | null;
  /** The client's request: its raw trailers are read once the body has ended. */
  readonly client: { readonly rawTrailers: string[] };
}

/** The callbacks of undici's (legacy) dispatch handler that this client drives, plus the upstream's `100 Continue`. */
export interface ResponseHandler {
  onConnect(abort: (reason?: Error) => void): void;
  onContinue(): void;
  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void, statusText: string): boolean;
  onData(chunk: Buffer): boolean;
  onComplete(trailers: string[] | null): void;
  onError(err: Error): void;
}

/**
 * The upstream client for the HTTP/1.1 requests undici cannot send as received
 * ({@link needsNodeHttp}): node:http writes their head as given, on its own keep-alive
 * connections — the client's `Content-Length: 0` where it sent one, no framing at all where it
 * sent none, `Transfer-Encoding: chunked` in its place with the body chunked and the client's
 * trailers after it, `Expect: 100-continue` with the upstream's `100 Continue` reported
 * (onContinue). The response goes to the same dispatch handler as undici's (UpstreamCall), through
 * the same callbacks: connect, head, data with backpressure, trailers, error. The idle timeout is
 * the upstream timeout, as undici's headers and body timeouts.
 *
 * A response that ends before the request body was sent in full (an upstream refusing an
 * `Expect: 100-continue` upload with a final status, or answering early) leaves the connection in
 * an unknown state: it is closed, not reused.
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
    // Raw pairs are written as they are, in order; framing fields among them frame the body.
    const asGiven = request.body !== null || hasFraming(request.headers);
    const req = send({
      host: url.hostname.replace(/^\[|\]$/g, ''),
      port: url.port === '' ? undefined : Number(url.port),
      method: request.method,
      path: request.path,
      agent: this.agent,
      setHost: false,
      ...(asGiven ? { headers: request.headers } : {}),
    });
    if (!asGiven) {
      // No framing from the client: none is written, and no chunked framing either (the one way to
      // ask node:http for that is to remove both; repeated names are then written together).
      for (let i = 0; i < request.headers.length; i += 2)
        req.appendHeader(request.headers[i] as string, request.headers[i + 1] as string);
      req.removeHeader('content-length');
      req.removeHeader('transfer-encoding');
    }
    let headSeen = false;
    /** Failed, or the response was read to its end: later errors are nobody's business. */
    let settled = false;
    const fail = (err: Error): void => {
      if (settled) return;
      settled = true;
      handler.onError(err);
    };
    let response: http.IncomingMessage | null = null;
    handler.onConnect((reason?: Error) => {
      // A response read to its end (its 'end' may still be queued) has nothing left to abandon;
      // destroying now would reach a socket already handed back to the agent.
      if (response === null || !response.complete) req.destroy(reason ?? abortError());
    });
    const timeoutMs = this.timeoutMs;
    if (timeoutMs > 0) {
      req.setTimeout(timeoutMs);
      req.on('timeout', () => {
        req.destroy(timeoutError(headSeen ? 'The upstream sent no body byte in time' : 'The upstream sent no answer in time'));
      });
    }
    req.on('error', fail);
    req.on('continue', () => {
      if (!settled && !headSeen) handler.onContinue();
    });
    req.on('response', (res: http.IncomingMessage) => {
      headSeen = true;
      response = res;
      // Waiting for the client (backpressure, a held head) is not the upstream being late.
      const pause = (): void => {
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
        if (!handler.onData(chunk)) pause();
      });
      res.on('end', () => {
        if (settled) return;
        settled = true;
        // The request body was not sent in full: the connection cannot carry another request.
        if (!req.writableEnded) req.destroy();
        handler.onComplete(res.rawTrailers.length > 0 ? res.rawTrailers : null);
      });
      const raw = res.rawHeaders.map((v) => Buffer.from(v, 'latin1'));
      if (!handler.onHeaders(res.statusCode ?? 502, raw, resume, res.statusMessage ?? '')) pause();
    });
    if (request.body === null) req.end();
    else streamBody(request.body, req, request.client);
  }

  close(): void {
    this.agent.destroy();
  }
}

/**
 * The body into the upstream request with backpressure both ways, then the client's trailers (as
 * received, in order; written only on a chunked request) and the end. The head goes out at once:
 * an `Expect: 100-continue` upstream answers before any body byte.
 */
function streamBody(body: Readable, req: http.ClientRequest, client: NodeRequest['client']): void {
  req.flushHeaders();
  let waiting = false;
  const resume = (): void => {
    waiting = false;
    body.resume();
  };
  body.on('data', (chunk: Buffer) => {
    if (req.destroyed || req.write(chunk) || waiting) return;
    waiting = true;
    body.pause();
    req.once('drain', resume);
  });
  body.on('end', () => {
    if (req.destroyed) return;
    const raw = client.rawTrailers;
    if (raw.length > 0) {
      const pairs: [string, string][] = [];
      for (let i = 0; i < raw.length; i += 2) pairs.push([raw[i] as string, raw[i + 1] as string]);
      req.addTrailers(pairs);
    }
    req.end();
  });
  // The client left mid-upload (request-body.ts destroys the body): the upstream request goes too.
  body.on('error', () => req.destroy(abortError()));
}

/** The client sent `Content-Length` or `Transfer-Encoding`: its head is written as given. */
function hasFraming(pairs: readonly string[]): boolean {
  for (let i = 0; i < pairs.length; i += 2) {
    const lower = (pairs[i] as string).toLowerCase();
    if (lower === 'content-length' || lower === 'transfer-encoding') return true;
  }
  return false;
}

function timeoutError(message: string): Error {
  return Object.assign(new Error(message), { code: 'ESOCKETTIMEDOUT' });
}

function abortError(): Error {
  return Object.assign(new Error('The upstream request was abandoned'), { code: 'ECONNABORTED' });
}
