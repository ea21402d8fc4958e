import type { OutgoingHttpHeaders } from 'node:http';
import { renderAnswer } from '../faults/answer.js';
import { RESET, type Answer } from '../faults/plan.js';
import type { ProblemBody } from '../http/problem.js';
import { sendProblem } from '../http/problem.js';
import type { Exchange } from './exchange.js';
import { hasBody } from './framing.js';

/**
 * Write an answer faultline makes itself (a fault's status, a quota refusal), as a real server
 * would; see settleRequestBody for what happens to a request body the upstream never sees. Once
 * the response head is out there is no answering any more: the connection is reset instead.
 */
export function sendAnswer(ex: Exchange, answer: Answer, drainLimit: number): void {
  const res = ex.res;
  if (res.headersSent) {
    ex.wire.reset(ex.req, RESET);
    return;
  }
  const rendered = renderAnswer(answer, ex);
  const keep = settleRequestBody(ex, drainLimit);
  let headers = rendered.headers;
  if (!ex.wire.connectionHeaders) headers = withoutConnectionSpecific(headers);
  else if (!keep) headers.connection = 'close';
  if (rendered.payload === null && (!ex.wire.connectionHeaders || headers['content-length'] === undefined)) {
    // No body and no length to announce: the head alone. On HTTP/2 one HEADERS frame with
    // END_STREAM (a gRPC status's Trailers-Only response needs exactly that), on HTTP/1.1 with
    // `Content-Length: 0` (none for 204/304). Node's responses do so only when end() comes before
    // any writeHead.
    res.statusCode = rendered.status;
    for (const name in headers) res.setHeader(name, headers[name] as string | number | string[]);
    res.end();
    return;
  }
  res.writeHead(rendered.status, headers);
  // The access log and the byte metrics count what the client received, injected or relayed.
  if (rendered.payload !== null) ex.bytesOut += Buffer.byteLength(rendered.payload);
  res.end(rendered.payload ?? undefined);
}

/** A problem+json of faultline's own (502, 503, 504, ...), settling the request body the same way. */
export function sendOwnProblem(ex: Exchange, problem: ProblemBody, drainLimit: number): void {
  if (ex.res.headersSent) {
    ex.wire.reset(ex.req, RESET);
    return;
  }
  const keep = settleRequestBody(ex, drainLimit) || !ex.wire.connectionHeaders;
  sendProblem(ex.req, ex.res, problem, { connection: keep ? undefined : 'close' });
}

/** Fields HTTP/2 forbids in a response (RFC 9113 §8.2.2); Node refuses to send them. */
const CONNECTION_SPECIFIC = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te']);

/** An answer's headers (a scenario may set any) for a protocol without connection-specific fields. */
function withoutConnectionSpecific(headers: OutgoingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const name in headers) if (!CONNECTION_SPECIFIC.has(name.toLowerCase())) out[name] = headers[name];
  return out;
}

/**
 * Deal with a request body the upstream will not (or no longer) see because we answer. Returns
 * true when the connection can stay open after the answer.
 *
 * - `Expect: 100-continue`: we never sent `100 Continue`, so the client holds its body back
 *   (RFC 9110 §10.1.1); we answer and close, since the client may still send it later.
 * - A body up to the drain limit (declared, or chunked while it stays under): read and discarded,
 *   so the client finishes its upload and the connection can be reused.
 * - A larger body, or one already partly read: answered with `Connection: close`; we keep reading
 *   until the answer is out so the client sees it rather than a reset, then Node closes the socket.
 */
function settleRequestBody(ex: Exchange, drainLimit: number): boolean {
  const req = ex.req;
  if (req.readableEnded) return true;
  if (ex.expectContinue) return false;
  const declared = req.headers['content-length'];
  const length = declared === undefined ? null : Number(declared);
  if (length === 0 || !hasBody(req)) return true;
  if (ex.bytesIn > 0 || (length !== null && length > drainLimit)) {
    req.resume();
    return false;
  }
  let drained = 0;
  req.on('data', (chunk: Buffer) => {
    drained += chunk.length;
    // A chunked body that outgrows the limit: stop paying for it.
    if (drained > drainLimit) req.socket.destroy();
  });
  req.resume();
  return length !== null;
}
