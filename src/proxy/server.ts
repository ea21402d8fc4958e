import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import { problemFor, rawProblemResponse } from '../http/problem.js';
import { handleRequest, type HandlerContext } from './handler.js';
import { requestIdOf } from './request-id.js';
import { ProxyRequest, ProxyResponse } from './messages.js';
import { createUpgradeHandler } from './websocket.js';
import type { Upstream } from './upstream.js';

/**
 * The proxy's HTTP server: plain requests go to the hot path, `Expect: 100-continue` requests too
 * (so a fault can answer before the client sends its body), upgrades to the WebSocket tunnel,
 * and CONNECT is refused — faultline never opens a tunnel to anywhere.
 */
export type ProxyServer =
  http.Server<typeof ProxyRequest, typeof ProxyResponse> | https.Server<typeof ProxyRequest, typeof ProxyResponse>;

export function createProxyServer(
  ctx: HandlerContext,
  upstream: Upstream,
  insecure: boolean,
  onUpgradeError: (err: Error) => void,
  tls: { readonly cert: string; readonly key: string } | null = null,
): ProxyServer {
  const options: http.ServerOptions<typeof ProxyRequest, typeof ProxyResponse> = {
    IncomingMessage: ProxyRequest,
    ServerResponse: ProxyResponse,
    // Long uploads, throttled bodies and hangs are the point here: no whole-request deadline.
    requestTimeout: 0,
    keepAliveTimeout: 5_000,
  };
  // With a certificate the same HTTP server runs over TLS (https.Server is one), faults included.
  const server =
    tls === null
      ? http.createServer<typeof ProxyRequest, typeof ProxyResponse>(options)
      : https.createServer<typeof ProxyRequest, typeof ProxyResponse>({
          ...options,
          cert: tls.cert,
          key: tls.key,
          ALPNProtocols: ['http/1.1'],
        });
  server.on('request', (req: ProxyRequest, res: ProxyResponse) => handleRequest(ctx, req, res, false));
  server.on('checkContinue', (req: ProxyRequest, res: ProxyResponse) => handleRequest(ctx, req, res, true));
  server.on('upgrade', createUpgradeHandler(upstream, insecure, onUpgradeError));
  server.on('connect', (req: http.IncomingMessage, socket: Socket) => {
    refuseConnect(req, socket);
    ctx.events.requestRejected(req.method, 405);
  });
  // A failed TLS handshake is that client's problem: drop its socket, nothing else.
  if (tls !== null) server.on('tlsClientError', (_err: Error, socket: Socket) => socket.destroy());
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    if (!socket.writable || err.code === 'ECONNRESET') {
      socket.destroy();
      return;
    }
    socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  });
  return server;
}

const CONNECT_ALLOW = { allow: 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS' };

/** CONNECT gets the catalogue's 405 problem+json, with a request id, and the connection closes. */
function refuseConnect(req: http.IncomingMessage, socket: Socket): void {
  socket.on('error', () => socket.destroy());
  const problem = problemFor(
    'FAULTLINE_CONNECT_REFUSED',
    'faultline is a reverse proxy for one upstream and does not open CONNECT tunnels.',
    '/',
    requestIdOf(req),
  );
  socket.end(rawProblemResponse(problem, CONNECT_ALLOW));
}

/** The part of an http.Server that draining needs (any request/response classes). */
export interface Drainable {
  close(callback: () => void): unknown;
  closeIdleConnections(): void;
  closeAllConnections(): void;
}

/**
 * Stop accepting, let in-flight requests finish, and after `graceMs` cut whatever is left.
 * Resolves when the server is closed.
 */
export function drain(server: Drainable, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    const idle = setInterval(() => server.closeIdleConnections(), 50);
    const deadline = setTimeout(() => server.closeAllConnections(), graceMs);
    server.close(() => {
      clearInterval(idle);
      clearTimeout(deadline);
      resolve();
    });
    server.closeIdleConnections();
  });
}
