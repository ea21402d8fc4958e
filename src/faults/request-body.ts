import type { Exchange } from '../proxy/exchange.js';
import type { FaultContext } from './fault.js';

/**
 * Deal with a request body the upstream will never see because we answer first. Returns true when
 * the connection can stay open after the answer.
 *
 * - `Expect: 100-continue`: we never sent `100 Continue`, so the client holds its body back
 *   (RFC 9110 §10.1.1); we answer and close, since the client may still send it later.
 * - A body up to the drain limit (declared, or chunked while it stays under): read and discarded,
 *   so the client finishes its upload and the connection can be reused.
 * - A larger body: answered with `Connection: close`; we keep reading until the answer is out so
 *   the client sees it rather than a reset, then Node closes the socket.
 */
export function settleRequestBody(ctx: FaultContext, ex: Exchange): boolean {
  const req = ex.req;
  if (req.readableEnded) return true;
  if (ex.expectContinue) return false;
  const declared = req.headers['content-length'];
  const length = declared === undefined ? null : Number(declared);
  if (length === 0 || (length === null && req.headers['transfer-encoding'] === undefined)) return true;
  const limit = ctx.drainLimit;
  if (length !== null && length > limit) {
    req.resume();
    return false;
  }
  let drained = 0;
  req.on('data', (chunk: Buffer) => {
    drained += chunk.length;
    // A chunked body that outgrows the limit: stop paying for it.
    if (drained > limit) req.socket.destroy();
  });
  req.resume();
  return length !== null;
}
