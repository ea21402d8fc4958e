import http, { type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { problemFor, sendProblem } from '../../src/http/problem.js';

export type Route = (req: IncomingMessage, res: ServerResponse) => void;

export interface TestServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Serve `routes` (by path) on 127.0.0.1, port 0; unknown paths are a clean faultline 404. */
export async function startServer(routes: Record<string, Route>): Promise<TestServer> {
  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const route = routes[path] ?? ((rq, rs) => problem(404)(rq, rs));
    req.resume(); // drain any request body
    route(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A faultline-style answer: problem+json, no-store, x-request-id; Retry-After for 503/429. */
export function problem(status: number, opts: { detail?: string; headers?: OutgoingHttpHeaders } = {}): Route {
  return (req, res) => {
    const body = problemFor(
      'FAULTLINE_FAULT_INJECTED',
      opts.detail ?? 'injected by rule "test"',
      req.url ?? '/',
      'req-1',
      status,
    );
    const extra: OutgoingHttpHeaders = status === 503 || status === 429 ? { 'retry-after': '5' } : {};
    sendProblem(req, res, body, { ...extra, ...opts.headers });
  };
}

/** Any status and body with exactly these headers (node adds Date, Connection, Keep-Alive, Content-Length). */
export function plain(status: number, headers: OutgoingHttpHeaders, body: string | Buffer = ''): Route {
  return (_req, res) => {
    res.writeHead(status, headers);
    res.end(body);
  };
}

/** Bytes written straight to the socket: for responses node's server refuses to produce. */
export function raw(bytes: string, opts: { end?: boolean } = {}): Route {
  return (req) => {
    req.socket.write(bytes);
    if (opts.end === true) req.socket.end();
  };
}
