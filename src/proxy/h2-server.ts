import http2, { type ServerHttp2Session } from 'node:http2';
import type { Socket } from 'node:net';
import type { ProxyContext } from './context.js';
import type { Exchange } from './exchange.js';
import { H2_WIRE } from './h2-wire.js';
import { handleRequest } from './handler.js';
import { refuseH2Head } from './head-checks.js';
import type { ListenerEvents, ListenerLimits } from './listener.js';
import type { ProxyRequest, ProxyResponse } from './messages.js';

/* Node's HTTP/2 compatibility request and response, carrying their exchange like ProxyRequest/-Response. */
class H2Request extends http2.Http2ServerRequest {
  exchange: Exchange | null = null;
}

class H2Response extends http2.Http2ServerResponse<H2Request> {
  exchange: Exchange | null = null;
}

/** The HTTP/2 side of the proxy listener: sockets are handed to it (h2 by ALPN, or h2c by preface). */
export interface H2Listener {
  /** Serve HTTP/2 on a connected socket (plain, or TLS after an `h2` ALPN handshake). */
  accept(socket: Socket): void;
  /** Ask every connection to finish (GOAWAY): streams in flight complete, no new ones start. */
  closeIdle(): void;
  /** Close every connection now, streams in flight included. */
  closeAll(): void;
}

/**
 * HTTP/2 into the same hot path as HTTP/1.1: Node's compatibility API gives each stream a
 * request/response pair with the members the hot path uses (headers, rawHeaders, url, method,
 * socket, the Readable request and Writable response, writeHead/addTrailers/writeContinue), so
 * handleRequest takes them as a ProxyRequest/ProxyResponse, and H2_WIRE makes resets and cuts act
 * on the stream. The upstream is called as configured (HTTP/1.1, or HTTP/2: h2-upstream.ts).
 *
 * Limits: the target and head size limits are checked per stream (head-checks.ts: 414 and 431 on
 * the stream); a connection idle for the keep-alive timeout is closed with GOAWAY (a hanging
 * stream keeps it open).
 */
export function createH2Listener(ctx: ProxyContext, limits: ListenerLimits, events: ListenerEvents): H2Listener {
  const server = http2.createServer({
    Http2ServerRequest: H2Request,
    Http2ServerResponse: H2Response,
    // Node resets a stream whose header list passes this (RST_STREAM ENHANCE_YOUR_CALM, before any
    // request event): room above the limit, so a head just over it is answered 431 like HTTP/1.1's.
    settings: { maxHeaderListSize: Math.max(2 * limits.maxHeaderSize, limits.maxHeaderSize + 16 * 1024) },
  });
  const sessions = new Set<ServerHttp2Session>();
  server.on('session', (session: ServerHttp2Session) => {
    sessions.add(session);
    session.once('close', () => sessions.delete(session));
    // A broken connection is that client's problem: its streams end, nothing else.
    session.on('error', () => session.destroy());
    if (limits.keepAliveTimeoutMs > 0) session.setTimeout(limits.keepAliveTimeoutMs, () => session.close());
  });
  const onRequest = (req: H2Request, res: H2Response, expectContinue: boolean): void => {
    // HTTP/2 names the target's authority in `:authority`; rules, X-Forwarded-Host and Location
    // rewriting read `host`, as an HTTP/1.1 request has it.
    const authority = req.headers[':authority'];
    if (req.headers.host === undefined && authority !== undefined) req.headers.host = authority;
    const request = req as unknown as ProxyRequest;
    const refused = refuseH2Head(request, res as unknown as ProxyResponse, limits.maxUriLength, limits.maxHeaderSize);
    if (refused === null) {
      handleRequest(ctx, request, res as unknown as ProxyResponse, expectContinue, H2_WIRE);
      return;
    }
    ctx.events.requestRejected(req.method, refused.status, H2_WIRE.protocol);
    events.connectionRefused(refused.reason, req.socket.remoteAddress);
  };
  server.on('request', (req: H2Request, res: H2Response) => onRequest(req, res, false));
  server.on('checkContinue', (req: H2Request, res: H2Response) => onRequest(req, res, true));
  return {
    accept: (socket) => server.emit('connection', socket),
    closeIdle() {
      for (const session of sessions) if (!session.closed) session.close();
    },
    closeAll() {
      for (const session of sessions) session.destroy();
    },
  };
}
