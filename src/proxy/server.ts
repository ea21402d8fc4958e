import http from 'node:http';
import type { Socket } from 'node:net';
import type { ProxyContext } from './context.js';
import { handleRequest } from './handler.js';
import { ProxyRequest, ProxyResponse } from './messages.js';
import { createUpgradeHandler } from './websocket.js';
import type { Upstream } from './upstream.js';

/**
 * The proxy's HTTP server: plain requests go to the hot path, `Expect: 100-continue` requests too
 * (so a fault can answer before the client sends its body), upgrades to the WebSocket tunnel,
 * and CONNECT is refused — faultline never opens a tunnel to anywhere.
 */
export function createProxyServer(
  ctx: ProxyContext,
  upstream: Upstream,
  insecure: boolean,
  onUpgradeError: (err: Error) => void,
): http.Server<typeof ProxyRequest, typeof ProxyResponse> {
  const server = http.createServer<typeof ProxyRequest, typeof ProxyResponse>({
    IncomingMessage: ProxyRequest,
    ServerResponse: ProxyResponse,
    // Long uploads, throttled bodies and hangs are the point here: no whole-request deadline.
    requestTimeout: 0,
    keepAliveTimeout: 5_000,
  });
  server.on('request', (req: ProxyRequest, res: ProxyResponse) => handleRequest(ctx, req, res, false));
  server.on('checkContinue', (req: ProxyRequest, res: ProxyResponse) => handleRequest(ctx, req, res, true));
  server.on('upgrade', createUpgradeHandler(upstream, insecure, onUpgradeError));
  server.on('connect', (req: http.IncomingMessage, socket: Socket) => {
    refuseConnect(socket);
    ctx.events.requestRejected(req.method, 405);
  });
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    if (!socket.writable || err.code === 'ECONNRESET') {
      socket.destroy();
      return;
    }
    socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  });
  return server;
}

const CONNECT_REFUSAL = JSON.stringify({
  type: 'https://faultline.dev/problems/connect-refused',
  title: 'Method Not Allowed',
  status: 405,
  detail: 'faultline is a reverse proxy for one upstream and does not open CONNECT tunnels.',
  code: 'FAULTLINE_CONNECT_REFUSED',
});

function refuseConnect(socket: Socket): void {
  socket.end(
    'HTTP/1.1 405 Method Not Allowed\r\nAllow: GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS\r\n' +
      'Content-Type: application/problem+json\r\nCache-Control: no-store\r\nConnection: close\r\n' +
      `Content-Length: ${Buffer.byteLength(CONNECT_REFUSAL)}\r\n\r\n${CONNECT_REFUSAL}`,
  );
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
