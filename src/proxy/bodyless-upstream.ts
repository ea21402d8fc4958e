import http from 'node:http';
import https from 'node:https';
import type { ProxyRequest } from './messages.js';

/** The methods undici frames as "expects a payload" (undici/lib/dispatcher/client-h1.js, writeH1). */
const PAYLOAD_METHODS = new Set(['PUT', 'POST', 'PATCH', 'QUERY', 'PROPFIND', 'PROPPATCH']);

/**
 * Would undici change the framing of this body-less HTTP/1.x request? It writes `content-length: 0`
 * on a PUT, POST, PATCH, QUERY, PROPFIND or PROPPATCH sent without one, and drops a client's
 * `Content-Length: 0` on any other method. Such requests go through {@link BodylessUpstream} instead.
 */
export function undiciReframes(req: ProxyRequest): boolean {
  if (req.httpVersionMajor !== 1) return false;
  const hasLength = req.headers['content-length'] !== undefined;
  return PAYLOAD_METHODS.has(req.method ?? '') ? !hasLength : hasLength;
}

/** What the hot path hands a dispatcher: the request head; these requests have no body. */
export interface BodylessRequest {
  readonly path: string;
  readonly method: string;
  /** Raw `[name, value, ...]` pairs, in the order and case to send. */
  readonly headers: string[];
}

/** The callbacks of undici's (legacy) dispatch handler that this client drives; UpstreamCall has them. */
export interface ResponseHandler {
  onConnect(abort: (reason?: Error) => void): void;
  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void, statusText: string): boolean;
  onData(chunk: Buffer): boolean;
  onComplete(trailers: string[] | null): void;
  onError(err: Error): void;
}

/**
 * The upstream client for the few body-less requests undici would frame differently
 * ({@link undiciReframes}): node:http writes their head as given (the client's `Content-Length: 0`
 * where it sent one, in its place and case; no framing at all where it sent none), on its own
 * keep-alive connections. The response goes to the same dispatch handler as undici's
 * (UpstreamCall), through the same callbacks: connect, head, data with backpressure, trailers,
 * error. The idle timeout is the upstream timeout, as undici's headers and body timeouts.
 */
export class BodylessUpstream {
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

  dispatch(request: BodylessRequest, handler: ResponseHandler): void {
    try {
      this.send(request, handler);
    } catch (err) {
      // A head node:http refuses to write (it checks names and values again): an upstream failure.
      handler.onError(err as Error);
    }
  }

  private send(request: BodylessRequest, handler: ResponseHandler): void {
    const url = this.url;
    const send = url.protocol === 'https:' ? https.request : http.request;
    const keepsLength = hasLength(request.headers);
    const req = send({
      host: url.hostname.replace(/^\[|\]$/g, ''),
      port: url.port === '' ? undefined : Number(url.port),
      method: request.method,
      path: request.path,
      agent: this.agent,
      setHost: false,
      // The client's `Content-Length: 0`: the raw pairs are written as they are, in order.
      ...(keepsLength ? { headers: request.headers } : {}),
    });
    if (!keepsLength) {
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
    handler.onConnect((reason?: Error) => req.destroy(reason ?? abortError()));
    const timeoutMs = this.timeoutMs;
    if (timeoutMs > 0) {
      req.setTimeout(timeoutMs);
      req.on('timeout', () => {
        req.destroy(timeoutError(headSeen ? 'The upstream sent no body byte in time' : 'The upstream sent no answer in time'));
      });
    }
    req.on('error', fail);
    req.on('response', (res: http.IncomingMessage) => {
      headSeen = true;
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
        if (failed) return;
        handler.onComplete(res.rawTrailers.length > 0 ? res.rawTrailers : null);
      });
      const raw = res.rawHeaders.map((v) => Buffer.from(v, 'latin1'));
      if (!handler.onHeaders(res.statusCode ?? 502, raw, resume, res.statusMessage ?? '')) pause();
    });
    req.end();
  }

  close(): void {
    this.agent.destroy();
  }
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
