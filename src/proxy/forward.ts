import type { ClientRequest, IncomingMessage } from 'node:http';
import { problemFor, sendProblem } from '../http/problem.js';
import type { ErrorCode } from '../errors.js';
import { delayThen } from '../faults/delay.js';
import type { Exchange } from './exchange.js';
import type { ProxyRequest } from './messages.js';
import type { ProxyEvents, UpstreamFailure } from './events.js';
import { clientResponseHeaders, upstreamRequestHeaders } from './headers.js';
import type { Upstream } from './upstream.js';
import type { LocationBase } from './location.js';

/** What forwarding needs besides the exchange; built once per proxy. */
export interface ForwardContext {
  readonly upstream: Upstream;
  readonly events: ProxyEvents;
}

class UpstreamTimeout extends Error {
  readonly code = 'ETIMEDOUT';
}

/**
 * Stream the request to the upstream and its response back, with backpressure both ways.
 *
 *   client ──req──▶ [requestTransform] ──▶ upstream
 *   client ◀──res── [responseTransform] ◀── upstream response
 *
 * Failures follow the headers-sent rule: before our response head, a coded problem+json (502/504);
 * after it, the client connection is destroyed. A client that goes away aborts the upstream request.
 */
export function forward(ctx: ForwardContext, ex: Exchange, retried = false): void {
  const { upstream } = ctx;
  const req = ex.req;
  const upReq = upstream.request({
    hostname: upstream.hostname,
    port: upstream.port,
    method: req.method,
    path: upstream.basePath === '' ? req.url : upstream.basePath + (req.url ?? ''),
    headers: upstreamRequestHeaders(req, upstream.hostHeader, ex.id, ex.skipHeader),
    agent: upstream.agent,
    timeout: upstream.timeoutMs,
  }) as UpstreamRequest;
  // Module-level listeners find the exchange on the request: no closures per request for these.
  upReq.faultlineExchange = ex;
  upReq.faultlineLocation = upstream.locationBase;
  upReq.on('timeout', onUpstreamTimeout);
  upReq.on('response', onUpstreamResponse);
  upReq.on('error', (err: NodeJS.ErrnoException) => {
    if (!retried && upReq.reusedSocket && err.code === 'ECONNRESET' && ex.bytesIn === 0 && isRetryable(req.method)) {
      // The upstream closed an idle keep-alive socket just as we reused it: nothing reached it,
      // so one retry on a fresh connection is safe for a bodiless idempotent request.
      forward(ctx, ex, true);
      return;
    }
    upstreamFailed(ctx, ex, err);
  });
  ex.upReq = upReq;
  ex.upstreamStartHr = performance.now();
  if (ex.expectContinue) {
    ex.expectContinue = false;
    ex.res.writeContinue();
  }
  if (req.readableEnded || !hasBody(req)) {
    // No body (most GETs): nothing to stream, so no pipe and no listeners to set up.
    upReq.end();
    return;
  }
  req.on('data', countRequestBytes);
  // Plain pipe() on purpose, not pipeline(): an error on the upstream side must not destroy the
  // client's request (and with it the socket) — we still owe the client an answer.
  if (ex.requestTransform === null) req.pipe(upReq);
  else {
    ex.requestTransform.on('error', () => upReq.destroy());
    req.pipe(ex.requestTransform).pipe(upReq);
  }
}

/** The upstream request, carrying its exchange for the module-level listeners. */
type UpstreamRequest = ClientRequest & { faultlineExchange?: Exchange; faultlineLocation?: LocationBase };

function exchangeOf(upReq: unknown): Exchange | undefined {
  return (upReq as UpstreamRequest).faultlineExchange;
}

function onUpstreamTimeout(this: ClientRequest): void {
  this.destroy(new UpstreamTimeout('no answer from the upstream within --upstream-timeout'));
}

function onUpstreamResponse(this: ClientRequest, upRes: IncomingMessage): void {
  const ex = exchangeOf(this);
  if (ex === undefined) upRes.destroy();
  else onResponse(ex, this, upRes);
}

function countResponseBytes(this: IncomingMessage, chunk: Buffer): void {
  const ex = exchangeOf((this as IncomingMessage & { req?: ClientRequest }).req);
  if (ex !== undefined) ex.bytesOut += chunk.length;
}

/** The upstream died mid-body: the head is out, so the only honest signal left is a broken connection. */
function onUpstreamBodyError(this: IncomingMessage): void {
  this.destroy();
  const ex = exchangeOf((this as IncomingMessage & { req?: ClientRequest }).req);
  if (ex === undefined) return;
  ex.responseTransform?.destroy();
  ex.res.destroy();
}

/**
 * Stop sending the request body upstream (the upstream failed, or a fault took over) and read the
 * rest of it into the void, so the client can finish writing and read our answer.
 */
export function detachRequestBody(ex: Exchange): void {
  const req = ex.req;
  req.unpipe();
  if (ex.requestTransform !== null) {
    ex.requestTransform.unpipe();
    ex.requestTransform.destroy();
  }
  if (!req.readableEnded) req.resume();
}

function countRequestBytes(this: ProxyRequest, chunk: Buffer): void {
  if (this.exchange !== null) this.exchange.bytesIn += chunk.length;
}

function isRetryable(method: string | undefined): boolean {
  return method === 'GET' || method === 'HEAD' || method === 'OPTIONS';
}

function onResponse(ex: Exchange, upReq: ClientRequest, upRes: IncomingMessage): void {
  if (ex.upstreamHeadHr === 0) ex.upstreamHeadHr = performance.now();
  if (ex.clientGone) {
    upRes.destroy();
    return;
  }
  if (ex.responseDelayMs > 0) {
    // `delay` with `phase: response`: the upstream has done its work; the client waits.
    const ms = ex.responseDelayMs;
    ex.responseDelayMs = 0;
    upRes.pause();
    ex.res.once('close', () => {
      if (!ex.res.writableFinished) upRes.destroy();
    });
    delayThen(ex, ms, () => onResponse(ex, upReq, upRes));
    return;
  }
  if (ex.onUpstreamResponse !== null && ex.onUpstreamResponse(ex, upReq, upRes)) return;
  relayResponse(ex, upReq, upRes);
}

/** Send the upstream's response to the client, through the exchange's response transform if any. */
export function relayResponse(ex: Exchange, upReq: ClientRequest, upRes: IncomingMessage): void {
  const res = ex.res;
  const status = upRes.statusCode ?? 502;
  const base = (upReq as UpstreamRequest).faultlineLocation;
  const client = base === undefined ? null : { base, host: ex.req.headers.host, secure: isEncrypted(ex.req) };
  res.writeHead(status, upRes.statusMessage, clientResponseHeaders(upRes, ex.id, ex.faultName, client));
  ex.addedSeconds = (ex.upstreamStartHr - ex.startedHr + performance.now() - ex.upstreamHeadHr) / 1000;
  upRes.on('data', countResponseBytes);
  // pipe(), not pipeline(): on Node 20 every pipeline() ends by aborting an AbortController, which
  // builds a DOMException with a stack; measured in bench/, a bare node:http forwarder costs
  // 44 µs per request with pipe() and 100 µs with pipeline(). Errors are handled explicitly
  // instead; a client that leaves is handled by onResponseClose.
  upRes.on('error', onUpstreamBodyError);
  if (ex.responseTransform === null) upRes.pipe(res);
  else {
    ex.responseTransform.on('error', () => res.destroy());
    upRes.pipe(ex.responseTransform).pipe(res);
  }
}

/** Does the request carry a body (RFC 9112 §6.3: Content-Length or Transfer-Encoding)? */
function hasBody(req: ProxyRequest): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

const FAILURE_CODES: Record<UpstreamFailure, ErrorCode> = {
  unreachable: 'FAULTLINE_UPSTREAM_UNREACHABLE',
  timeout: 'FAULTLINE_UPSTREAM_TIMEOUT',
  reset: 'FAULTLINE_UPSTREAM_RESET',
  tls: 'FAULTLINE_UPSTREAM_UNREACHABLE',
  protocol: 'FAULTLINE_UPSTREAM_UNREACHABLE',
};

const FAILURE_DETAIL: Record<UpstreamFailure, string> = {
  unreachable: 'The upstream service could not be reached.',
  timeout: 'The upstream service did not answer in time.',
  reset: 'The upstream service closed the connection before answering.',
  tls: 'The TLS handshake with the upstream service failed.',
  protocol: 'The upstream service sent an invalid HTTP response.',
};

export function classifyUpstreamError(err: NodeJS.ErrnoException): UpstreamFailure {
  const code = err.code ?? '';
  if (err instanceof UpstreamTimeout) return 'timeout';
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'ECONNABORTED') return 'reset';
  if (code.startsWith('HPE_')) return 'protocol';
  if (code.startsWith('ERR_TLS') || code.startsWith('ERR_SSL') || code.includes('CERT') || code === 'DEPTH_ZERO_SELF_SIGNED_CERT')
    return 'tls';
  return 'unreachable';
}

function upstreamFailed(ctx: ForwardContext, ex: Exchange, err: NodeJS.ErrnoException): void {
  // The client left first (its going away is what aborted the request), or a fault aborted the
  // upstream request on purpose and answers the client itself.
  if (ex.clientGone || ex.upstreamAbandoned) return;
  detachRequestBody(ex);
  const reason = classifyUpstreamError(err);
  ex.outcome = 'upstream_error';
  ctx.events.upstreamFailed(ex, reason, err);
  // Detail deliberately generic: no addresses, no stack, nothing internal reaches the client.
  const code = FAILURE_CODES[reason];
  sendProblem(ex.req, ex.res, problemFor(code, FAILURE_DETAIL[reason], ex.path, ex.id), {
    connection: ex.req.readableEnded ? undefined : 'close',
  });
}

/** The client reached faultline over TLS. */
function isEncrypted(req: ProxyRequest): boolean {
  return (req.socket as { encrypted?: boolean }).encrypted === true;
}
