import { constants, type Http2ServerRequest, type ServerHttp2Stream } from 'node:http2';
import type { ProxyRequest } from './messages.js';
import { afterFlush, type ClientWire } from './wire.js';

const { NGHTTP2_INTERNAL_ERROR } = constants;

/**
 * The stream of a request that came in over HTTP/2. The HTTP/2 listener hands the hot path Node's
 * compatibility request (Http2ServerRequest) in place of an IncomingMessage (see h2-server.ts);
 * only an exchange whose wire is H2_WIRE ever reaches this.
 */
export function streamOf(req: ProxyRequest): ServerHttp2Stream {
  return (req as unknown as Http2ServerRequest).stream;
}

function resetStream(stream: ServerHttp2Stream): void {
  if (!stream.destroyed && !stream.closed) stream.close(NGHTTP2_INTERNAL_ERROR);
}

/**
 * HTTP/2: every fault acts on the exchange's stream, never on the connection other streams share.
 * A reset is RST_STREAM(INTERNAL_ERROR); a cut lets the DATA frames already written leave, then
 * resets the stream the same way (the client sees the stream end without END_STREAM: curl exit 92,
 * Node's client ERR_HTTP2_STREAM_ERROR); a hang that ends resets the stream too.
 */
export const H2_WIRE: ClientWire = {
  protocol: 'h2',
  connectionHeaders: false,
  reset(req) {
    resetStream(streamOf(req));
  },
  cut(req) {
    const stream = streamOf(req);
    afterFlush(stream, () => resetStream(stream));
  },
  close(req) {
    resetStream(streamOf(req));
  },
};
