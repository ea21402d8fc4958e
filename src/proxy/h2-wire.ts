import {
  constants,
  type Http2ServerRequest,
  type Http2ServerResponse,
  type Http2Session,
  type ServerHttp2Stream,
} from 'node:http2';
import { RESET, type Ending } from '../faults/plan.js';
import type { ProxyRequest } from './messages.js';
import { afterFlush, type ClientWire } from './wire.js';

/**
 * The stream of a request that came in over HTTP/2. The HTTP/2 listener hands the hot path Node's
 * compatibility request (Http2ServerRequest) in place of an IncomingMessage (see h2-server.ts);
 * only an exchange whose wire is H2_WIRE ever reaches this.
 */
export function streamOf(req: ProxyRequest): ServerHttp2Stream {
  return (req as unknown as Http2ServerRequest).stream;
}

/** End the stream with RST_STREAM(code), or the whole connection with GOAWAY(code). */
function breakOff(stream: ServerHttp2Stream, ending: Ending): void {
  if (stream.destroyed || stream.closed) return;
  if (ending.connection) goAway(stream.session, ending.code);
  else stream.close(ending.code);
}

/**
 * GOAWAY with the code (its last stream id the last one the server processed, as nghttp2 sets it),
 * then the connection closed once the frame has left: as a server that gives up on a connection
 * does. Every stream still open on it ends; Node's client reports each with `rstCode` = the code.
 */
function goAway(session: Http2Session | undefined, code: number): void {
  if (session === undefined || session.destroyed) return;
  session.goaway(code);
  afterFlush(session.socket, () => session.destroy());
}

/**
 * HTTP/2: a fault acts on the exchange's stream, never on the connection other streams share,
 * unless the scenario asks for it (`reset: { connection: true }`: GOAWAY). A reset is RST_STREAM
 * with the scenario's code (INTERNAL_ERROR by default); a cut lets the DATA frames already
 * written leave, then resets the stream the same way (the client sees the stream end without
 * END_STREAM: curl exit 92, Node's client ERR_HTTP2_STREAM_ERROR); a hang that ends resets the
 * stream with INTERNAL_ERROR.
 */
export const H2_WIRE: ClientWire = {
  protocol: 'h2',
  connectionHeaders: false,
  reset(req, ending) {
    breakOff(streamOf(req), ending);
  },
  cut(req, ending) {
    const stream = streamOf(req);
    afterFlush(stream, () => breakOff(stream, ending));
  },
  close(req) {
    breakOff(streamOf(req), RESET);
  },
  complete(res) {
    // Node's compatibility response counts as finished once its stream closes, reset or not: a
    // complete response was ended by us and its stream closed with NO_ERROR (END_STREAM both ways).
    const stream = (res as unknown as Http2ServerResponse).stream;
    return res.writableEnded && stream.closed && stream.rstCode === constants.NGHTTP2_NO_ERROR;
  },
};
