import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import { problemFor, rawProblemResponse } from '../http/problem.js';
import type { ProxyContext } from './context.js';
import { handleRequest } from './handler.js';
import { serveH2Beside } from './h2-dispatch.js';
import { createH2Listener, type H2Listener } from './h2-server.js';
import { requestIdOf } from './request-id.js';
import { refuseBadHead } from './head-checks.js';
import { answerClientError, refusalOf, type ListenerEvents, type ListenerLimits } from './listener.js';
import { ProxyRequest, ProxyResponse } from './messages.js';
import { declineUpgrade, isWebSocketUpgrade } from './upgrade.js';
import { createUpgradeHandler } from './websocket.js';
import type { Upstream } from './upstream.js';
import { HTTP1_WIRE } from './wire.js';

/** Marks a connection refused once: it closes after its answer and nothing more is handled on it. */
const REFUSED = Symbol('faultline.refused');
type RefusedSocket = Socket & { [REFUSED]?: boolean };

/** How the listener guards itself: its limits, and who hears about connections it cuts. */
export interface ListenerOptions {
  readonly limits: ListenerLimits;
  readonly events: ListenerEvents;
}

/**
 * The proxy's HTTP server: plain requests go to the hot path, `Expect: 100-continue` requests too
 * (so a fault can answer before the client sends its body), WebSocket upgrades to the tunnel,
 * other upgrades are declined (answered as ordinary requests), and CONNECT is refused —
 * faultline never opens a tunnel to anywhere. Heads the parser lets through but HTTP/1.1 forbids
 * (no version, two Host headers, an over-long target) are refused before the hot path.
 * HTTP/2 is served on the same port (h2 by ALPN over TLS, h2c with prior knowledge on the plain
 * listener: h2-dispatch.ts) into the same hot path.
 */
export type ProxyServer =
  http.Server<typeof ProxyRequest, typeof ProxyResponse> | https.Server<typeof ProxyRequest, typeof ProxyResponse>;

export function createProxyServer(
  ctx: ProxyContext,
  upstream: Upstream,
  insecure: boolean,
  onUpgradeError: (err: Error) => void,
  listener: ListenerOptions,
  tls: { readonly cert: string; readonly key: string } | null = null,
): ProxyServer {
  const { limits, events } = listener;
  const options: http.ServerOptions<typeof ProxyRequest, typeof ProxyResponse> = {
    IncomingMessage: ProxyRequest,
    ServerResponse: ProxyResponse,
    // Long uploads, throttled bodies and hangs are the point here: no whole-request deadline,
    // but a deadline for the head (Node's would otherwise follow requestTimeout to 0).
    requestTimeout: 0,
    headersTimeout: limits.headersTimeoutMs,
    // Node checks the head deadline on this interval (30 s by default: up to twice the limit).
    connectionsCheckingInterval:
      limits.headersTimeoutMs > 0 ? Math.max(50, Math.min(1000, Math.floor(limits.headersTimeoutMs / 10))) : 30_000,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    maxHeaderSize: limits.maxHeaderSize,
  };
  // With a certificate the same HTTP server runs over TLS (https.Server is one), faults included.
  const server =
    tls === null
      ? http.createServer<typeof ProxyRequest, typeof ProxyResponse>(options)
      : https.createServer<typeof ProxyRequest, typeof ProxyResponse>({
          ...options,
          cert: tls.cert,
          key: tls.key,
          ALPNProtocols: ['h2', 'http/1.1'],
        });
  if (limits.maxConnections > 0) server.maxConnections = limits.maxConnections;
  server.on('drop', (data?: { remoteAddress?: string }) => events.connectionRefused('max_connections', data?.remoteAddress));
  const onRequest = (req: ProxyRequest, res: ProxyResponse, expectContinue: boolean): void => {
    const socket = req.socket as RefusedSocket;
    // A request pipelined behind a refusal is never handled (the connection closes after the
    // answer), only counted: no response (status 0), outcome rejected.
    if (socket[REFUSED] === true) {
      req.resume();
      ctx.events.requestRejected(req.method, 0, HTTP1_WIRE.protocol);
      return;
    }
    const refused = refuseBadHead(req, res, limits.maxUriLength);
    if (refused === null) {
      handleRequest(ctx, req, res, expectContinue, HTTP1_WIRE);
      return;
    }
    socket[REFUSED] = true;
    ctx.events.requestRejected(req.method, refused.status, HTTP1_WIRE.protocol);
    events.connectionRefused(refused.reason, socket.remoteAddress);
  };
  server.on('request', (req: ProxyRequest, res: ProxyResponse) => onRequest(req, res, false));
  server.on('checkContinue', (req: ProxyRequest, res: ProxyResponse) => onRequest(req, res, true));
  const tunnel = createUpgradeHandler(upstream, insecure, onUpgradeError);
  server.on('upgrade', (req: ProxyRequest, socket: Socket, head: Buffer) => {
    if (isWebSocketUpgrade(req)) tunnel(req, socket, head);
    else declineUpgrade(server, req, socket, head);
  });
  server.on('connect', (req: http.IncomingMessage, socket: Socket) => {
    refuseConnect(req, socket);
    ctx.events.requestRejected(req.method, 405, HTTP1_WIRE.protocol);
  });
  // A failed TLS handshake is that client's problem: drop its socket, nothing else.
  if (tls !== null) server.on('tlsClientError', (_err: Error, socket: Socket) => socket.destroy());
  server.on('clientError', (err: NodeJS.ErrnoException, socket: RefusedSocket) => {
    const refusal = refusalOf(err);
    // Already refused (a parser that failed fails again on every later read, and bytes after a
    // refused head are not parsed as a request): that answer is on its way, the connection
    // closes after it. Count and answer once.
    if (socket[REFUSED] === true && refusal !== null) return;
    socket[REFUSED] = true;
    if (refusal !== null) events.connectionRefused(refusal.reason, socket.remoteAddress);
    answerClientError(socket, refusal);
  });
  const h2 = createH2Listener(ctx, limits, events);
  serveH2Beside(server, tls !== null, h2, limits.headersTimeoutMs);
  drainsH2(server, h2);
  return server;
}

/**
 * Draining the server drains its HTTP/2 connections too: Node's idle and forced closes only know
 * HTTP/1.1 connections, so each is extended to send GOAWAY (idle) or close (forced) the HTTP/2 ones.
 */
function drainsH2(server: ProxyServer, h2: H2Listener): void {
  const closeIdle = server.closeIdleConnections.bind(server);
  const closeAll = server.closeAllConnections.bind(server);
  server.closeIdleConnections = () => {
    closeIdle();
    h2.closeIdle();
  };
  server.closeAllConnections = () => {
    closeAll();
    h2.closeAll();
  };
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
