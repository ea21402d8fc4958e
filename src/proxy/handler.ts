import { problemFor, sendProblem } from '../http/problem.js';
import type { ProxyContext } from './context.js';
import { decide } from './decide.js';
import { Exchange } from './exchange.js';
import type { ProxyRequest, ProxyResponse } from './messages.js';
import { requestIdOf } from './request-id.js';
import type { ClientWire } from './wire.js';

/**
 * The hot path, per request:
 *
 *   refuse non-origin-form targets ─▶ request id ─▶ its turn on the connection ─▶ decide ─▶ carry out
 *        │
 *        └─▶ 400 problem+json
 *
 * Pipelining: Node parses a pipelined request while the previous response on the connection is
 * still going out, and queues its response. Such a request waits for its turn (Node hands its
 * response the socket); if the connection closes first (a cut, a reset, an answer with
 * `Connection: close`, a client giving up on a hang) it is never forwarded. Either way every
 * request is counted once and leaves the in-flight gauge once.
 */
export function handleRequest(
  ctx: ProxyContext,
  req: ProxyRequest,
  res: ProxyResponse,
  expectContinue: boolean,
  wire: ClientWire,
): void {
  const id = requestIdOf(req);
  const url = req.url ?? '';
  if (url.charCodeAt(0) !== 47 /* '/' */ && !(url === '*' && req.method === 'OPTIONS')) {
    refuseAbsoluteForm(req, res, id, expectContinue, wire);
    ctx.events.requestRejected(req.method, 400, wire.protocol);
    return;
  }
  const ex = new Exchange(req, res, id, expectContinue, ctx.now(), ctx.events, wire);
  req.exchange = ex;
  res.exchange = ex;
  ctx.events.requestStarted(ex);
  if (res.socket !== null) {
    begin(ctx, ex);
    return;
  }
  const onClose = (): void => {
    if (res.socket === null) finish(ex, 0);
  };
  req.once('close', onClose);
  res.once('socket', () => {
    req.off('close', onClose);
    begin(ctx, ex);
  });
}

function begin(ctx: ProxyContext, ex: Exchange): void {
  ex.res.once('close', onResponseClose);
  decide(ctx, ex);
}

/** Module-level on purpose: one function for every response, reading its exchange from `this`. */
function onResponseClose(this: ProxyResponse): void {
  const ex = this.exchange;
  if (ex !== null) finish(ex, ex.answered ? this.statusCode : 0);
}

/** The exchange is over (answered, cut, or the client left): release what it holds, count it once. */
function finish(ex: Exchange, status: number): void {
  if (ex.done) return;
  ex.finish();
  ex.events.requestFinished(ex, status);
  ex.res.exchange = null;
  ex.req.exchange = null;
}

function refuseAbsoluteForm(req: ProxyRequest, res: ProxyResponse, id: string, expectContinue: boolean, wire: ClientWire): void {
  // faultline is a reverse proxy for one upstream: a request naming another host (absolute form,
  // RFC 9112 §3.2.2) is refused rather than forwarded anywhere, so it can never be an open proxy.
  const problem = problemFor(
    'FAULTLINE_ABSOLUTE_FORM_REFUSED',
    'faultline is a reverse proxy for one upstream; send origin-form request targets (a path starting with "/").',
    '/',
    id,
  );
  const close = wire.connectionHeaders && !(req.readableEnded && !expectContinue);
  sendProblem(req, res, problem, { connection: close ? 'close' : undefined });
  req.resume();
}
