import type { Dispatcher } from 'undici';
import { cutCounter, type CutCounter } from '../faults/cut-counter.js';
import type { Ending, Plan } from '../faults/plan.js';
import { problemFor } from '../http/problem.js';
import { sendAnswer, sendOwnProblem } from './answer.js';
import type { Overrun, ProxyContext, QuotaMeter } from './context.js';
import type { Exchange } from './exchange.js';
import type { ProxyResponse } from './messages.js';
import { hasBody } from './framing.js';
import { writeH2Head } from './h2-head.js';
import { clientResponseHeaders, clientTrailers, upstreamRequestHeaders } from './headers.js';
import { needsNodeHttp, type NodeUpstream } from './node-upstream.js';
import { Pacer } from './pacer.js';
import { RequestBody } from './request-body.js';
import { classifyUpstreamError, FAILURE_CODES, FAILURE_DETAIL } from './upstream-failure.js';

/** What forwarding needs besides the plan. */
export interface Forwarding {
  /** Byte accounting of a quota rule's request, or null. */
  readonly meter: QuotaMeter | null;
  /** A request header not to forward (lower-case), e.g. the per-request fault header. */
  readonly skipHeader: string | null;
  /** Called when the meter refuses more of the request body: the upstream request is already abandoned. */
  readonly onOverrun: ((overrun: Overrun) => void) | null;
}

/**
 * The one request to the upstream for an exchange, as an undici dispatch handler: the proxy core's
 * forwarder. It streams the request body up (request-body.ts) and carries out the plan's points on
 * the way back: hold or replace the response head, cut or reset after N body bytes, pace the body.
 *
 * Framing passes as received: a request without a body is dispatched without one (no framing
 * added), a Content-Length body keeps its length, a chunked body stays chunked with its
 * trailers, `Expect: 100-continue` goes to the upstream and its `100 Continue` comes back (the
 * requests undici cannot carry so go through node-upstream.ts); the response keeps its
 * Content-Length or is chunked, and its trailers are relayed.
 *
 * Failures follow the headers-sent rule: before our response head, a coded problem+json (502/504);
 * after it, the client connection is destroyed. A client that leaves aborts the upstream request
 * once; an idle keep-alive socket the upstream closed under us is retried once, only for a
 * body-less GET/HEAD/OPTIONS whose client still waits and which got no response yet.
 */
export class UpstreamCall implements Dispatcher.DispatchHandler {
  private readonly ctx: ProxyContext;
  private readonly ex: Exchange;
  private readonly plan: Plan;
  private readonly forwarding: Forwarding;
  private body: RequestBody | null = null;
  /** node-upstream.ts when this request needs it (set at start), else null: undici carries it. */
  private node: NodeUpstream | null = null;
  private abortUpstream: (() => void) | null = null;
  private resumeUpstream: (() => void) | null = null;
  /** We gave up on the upstream request on purpose: its errors are ours, not the upstream's. */
  private abandoned = false;
  /** The upstream's response was read to its end. */
  private complete = false;
  /** The meter refused the request body: the upstream request was abandoned at the limit. */
  private overran = false;
  private headSeen = false;
  /** The head was replaced by an answer: the upstream body is read and dropped. */
  private discard = false;
  /** The response to the client is over (cut, or ended): nothing more is written. */
  private closed = false;
  private retried = false;
  private waitingDrain = false;
  private pacing = false;
  private pendingTrailers: readonly (Buffer | string)[] | null = null;
  /** Where a `limit` shape cuts the response body (N bytes, messages or events), or null. */
  private readonly limit: CutCounter | null;
  private pacer: Pacer | null = null;
  private holdTimer: NodeJS.Timeout | null = null;

  constructor(ctx: ProxyContext, ex: Exchange, plan: Plan, forwarding: Forwarding) {
    this.ctx = ctx;
    this.ex = ex;
    this.plan = plan;
    this.forwarding = forwarding;
    const shape = plan.response;
    this.limit = shape !== null && shape.shape === 'limit' ? cutCounter(shape.after) : null;
    if (shape !== null && shape.shape === 'pace') this.pacer = new Pacer(shape.bytesPerSecond);
  }

  start(): void {
    const ex = this.ex;
    ex.upstreamStartHr = performance.now();
    const req = ex.req;
    const node = this.ctx.upstream.node;
    this.node = node !== null && needsNodeHttp(req, ex.expectContinue) ? node : null;
    // undici does not send `Expect`: the client gets its `100 Continue` from us.
    if (ex.expectContinue && this.node === null) {
      ex.expectContinue = false;
      ex.res.writeContinue();
    }
    if (hasBody(req) && !req.readableEnded)
      this.body = new RequestBody(ex, this.forwarding.meter, this.plan.request, (overrun) => this.onOverrun(overrun));
    ex.whenDone(() => this.release());
    this.dispatch();
  }

  private dispatch(): void {
    const ex = this.ex;
    const upstream = this.ctx.upstream;
    const url = ex.req.url ?? '/';
    const path = upstream.basePath === '' ? url : upstream.basePath + url;
    const headers = upstreamRequestHeaders(
      ex.req,
      upstream.hostHeader,
      ex.id,
      this.forwarding.skipHeader,
      upstream.http2 !== 'off',
      this.node !== null,
    );
    if (this.node !== null) {
      const req = ex.req;
      this.node.dispatch({ path, method: ex.method, headers, body: this.body, trailers: () => req.rawTrailers }, this);
    } else upstream.pool.dispatch({ path, method: ex.method, headers, body: this.body }, this);
  }

  /** The upstream's `100 Continue` (node-upstream.ts): the client may send its body now. */
  onContinue(): void {
    const ex = this.ex;
    if (!ex.expectContinue || ex.done || ex.res.headersSent) return;
    ex.expectContinue = false;
    ex.res.writeContinue();
  }

  onConnect(abort: () => void): void {
    this.abortUpstream = abort;
    if (this.abandoned) abort();
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void, statusText: string): boolean {
    if (statusCode < 200) return true; // 1xx informational: not relayed
    const ex = this.ex;
    this.headSeen = true;
    this.resumeUpstream = resume;
    ex.upstreamHeadHr = performance.now();
    if (ex.done) {
      this.abandon();
      return false;
    }
    this.forwarding.meter?.head(statusCode);
    const plan = this.plan;
    if (plan.replaceHead !== null) {
      this.discard = true;
      this.body?.detach();
      sendAnswer(ex, plan.replaceHead, this.ctx.drainLimit);
      return true;
    }
    if (plan.holdHeadMs > 0) {
      // `delay` with `phase: response`: the upstream has done its work; the client waits.
      this.holdTimer = setTimeout(() => {
        this.holdTimer = null;
        if (ex.done) return;
        this.relayHead(statusCode, statusText, rawHeaders);
        resume();
      }, plan.holdHeadMs);
      return false;
    }
    this.relayHead(statusCode, statusText, rawHeaders);
    return true;
  }

  private relayHead(statusCode: number, statusText: string, rawHeaders: Buffer[]): void {
    const ex = this.ex;
    const headers = clientResponseHeaders(rawHeaders, ex.id, ex.marker, this.ctx.upstream.locationBase, ex.req);
    // The upstream answered an `Expect: 100-continue` request without `100 Continue`: the client
    // holds its body back (RFC 9110 §10.1.1), so this connection cannot carry another request.
    if (ex.expectContinue && ex.wire.connectionHeaders) headers.push('Connection', 'close');
    // HTTP/2 has no reason phrase (RFC 9113 §8.3.2).
    if (ex.wire.protocol === 'h2') writeH2Head(ex.res, statusCode, headers);
    else ex.res.writeHead(statusCode, statusText, headers);
    ex.addedSeconds = (ex.upstreamStartHr - ex.startedHr + performance.now() - ex.upstreamHeadHr) / 1000;
  }

  onData(chunk: Buffer): boolean {
    // undici hands over empty chunks at read boundaries: each would be an empty write(2).
    if (this.discard || chunk.length === 0) return true;
    if (this.closed || this.ex.done) return false;
    const shape = this.plan.response;
    if (shape === null) return this.write(chunk);
    if (shape.shape === 'limit') {
      const at = (this.limit as CutCounter).cutAt(chunk);
      if (at < 0) return this.write(chunk);
      if (at > 0) this.write(chunk.subarray(0, at));
      this.cut(shape.then);
      return false;
    }
    this.pacing = true;
    (this.pacer as Pacer).send(
      chunk,
      (part) => this.write(part),
      () => this.paced(),
    );
    return false;
  }

  private paced(): void {
    this.pacing = false;
    if (this.pendingTrailers !== null) this.endResponse(this.pendingTrailers);
    else if (!this.waitingDrain) this.resumeUpstream?.();
  }

  onComplete(trailers: string[] | null): void {
    this.complete = true;
    if (this.discard || this.closed) return;
    if (this.pacing) this.pendingTrailers = trailers ?? [];
    else this.endResponse(trailers ?? []);
  }

  private endResponse(trailers: readonly (Buffer | string)[]): void {
    this.closed = true;
    const res = this.ex.res;
    if (trailers.length > 0) res.addTrailers(clientTrailers(trailers, this.ex.wire.protocol === 'h2'));
    else if (this.ex.wire.protocol !== 'h2') flushCorked(res);
    res.end();
  }

  onError(err: Error): void {
    if (this.abandoned || this.closed) return;
    const ex = this.ex;
    this.body?.detach();
    if (ex.done || this.discard) return;
    if (this.canRetry(err)) {
      this.retried = true;
      this.abortUpstream = null;
      this.dispatch();
      return;
    }
    const res = ex.res;
    if (res.headersSent) {
      // The upstream died mid-body: the head is out, so the only honest signal left is a broken connection.
      this.closed = true;
      res.destroy();
      return;
    }
    if (this.holdTimer !== null) clearTimeout(this.holdTimer);
    const reason = classifyUpstreamError(err);
    ex.outcome = 'upstream_error';
    this.ctx.events.upstreamFailed(ex, reason, err);
    // Detail deliberately generic: no addresses, no stack, nothing internal reaches the client.
    sendOwnProblem(ex, problemFor(FAILURE_CODES[reason], FAILURE_DETAIL[reason], ex.path, ex.id), this.ctx.drainLimit);
  }

  /** An idle keep-alive socket the upstream closed just as it was reused: nothing was processed. */
  private canRetry(err: Error): boolean {
    if (this.retried || this.headSeen || this.body !== null || this.ex.bytesIn > 0) return false;
    const method = this.ex.method;
    if (method !== 'GET' && method !== 'HEAD' && method !== 'OPTIONS') return false;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ECONNRESET' || code === 'EPIPE') return true;
    const socket = (err as Error & { socket?: { bytesRead?: number } }).socket;
    return code === 'UND_ERR_SOCKET' && socket !== undefined && (socket.bytesRead ?? 0) > 0;
  }

  private write(chunk: Buffer): boolean {
    this.ex.bytesOut += chunk.length;
    const res = this.ex.res;
    if (res.write(chunk)) return true;
    if (!this.waitingDrain) {
      this.waitingDrain = true;
      res.once('drain', () => {
        this.waitingDrain = false;
        if (!this.pacing && !this.closed) this.resumeUpstream?.();
      });
    }
    return false;
  }

  /** The response stops here, detectably incomplete; the upstream response is abandoned, not read on. */
  private cut(ending: Ending): void {
    this.closed = true;
    this.abandon();
    this.ex.wire.cut(this.ex.req, ending);
  }

  private onOverrun(overrun: Overrun): void {
    this.overran = true;
    this.abandon();
    this.forwarding.onOverrun?.(overrun);
  }

  private abandon(): void {
    if (this.abandoned) return;
    this.abandoned = true;
    this.body?.detach();
    this.abortUpstream?.();
  }

  /** The exchange is over: release everything this call holds. */
  private release(): void {
    if (this.holdTimer !== null) clearTimeout(this.holdTimer);
    this.holdTimer = null;
    this.pacer?.stop();
    this.body?.detach();
    // A replaced answer is out: the upstream's body is still read to its end, so its connection is reused.
    if (!this.complete && !(this.discard && this.ex.answered)) this.abandon();
    this.forwarding.meter?.end(this.overran);
  }
}

/**
 * Send the body bytes Node's HTTP/1.1 response holds back (it corks the socket on every write until
 * the next tick) before `end()`: otherwise `end()` adds an empty string to them and they go out in a
 * writev(2) of buffers and strings, Node's slow path, where a write(2) of the last chunk is enough
 * and `end()` writes nothing. The uncork Node has queued finds the socket uncorked and does nothing.
 */
function flushCorked(res: ProxyResponse): void {
  const socket = res.socket;
  if (socket !== null && socket.writableCorked === 1) socket.uncork();
}
