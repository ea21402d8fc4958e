import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type Server from 'http-proxy';
import { problemFor, rawProblemResponse } from '../http/problem.js';
import { SESSION_HEADER } from '../http/session-header.js';
import { silenceHttpProxyDeprecation } from '../log/deprecations.js';
import { requestIdOf } from './request-id.js';
import type { Upstream } from './upstream.js';
import { asError } from '../errors.js';

/**
 * WebSocket (and any other `Upgrade`) pass-through, handed to http-proxy, which does the tunnel
 * well. Faults do not apply to upgrades. Like plain requests, only origin-form targets reach the
 * upstream. http-proxy is loaded at the first upgrade: a proxy that never sees one never pays
 * for it (about 6 MiB of memory).
 */
export function createUpgradeHandler(
  upstream: Upstream,
  insecure: boolean,
  onError: (err: Error) => void,
): (req: IncomingMessage, socket: Duplex, head: Buffer) => void {
  let proxy: Promise<Server> | null = null;
  const load = async (): Promise<Server> => {
    silenceHttpProxyDeprecation();
    const { default: httpProxy } = await import('http-proxy');
    const server = httpProxy.createProxyServer({
      target: upstream.url.href,
      ws: true,
      xfwd: true,
      changeOrigin: true,
      secure: !insecure,
    });
    server.on('error', (err, _req, target) => {
      onError(err);
      // http-proxy's types promise a target; its ws path has called this without one.
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition
      if (target !== undefined && 'destroy' in target) (target as Duplex).destroy();
    });
    return server;
  };
  return (req, socket, head) => {
    socket.on('error', () => socket.destroy());
    if (req.url === undefined || req.url.charCodeAt(0) !== 47) {
      refuseUpgrade(req, socket);
      return;
    }
    // faultline's own session header never reaches the upstream, on upgrades either.
    Reflect.deleteProperty(req.headers, SESSION_HEADER);
    proxy ??= load();
    proxy.then(
      (server) => server.ws(req, socket, head),
      (err: unknown) => {
        onError(asError(err));
        socket.destroy();
      },
    );
  };
}

/** An upgrade naming another host gets the same 400 problem+json as a plain absolute-form request. */
function refuseUpgrade(req: IncomingMessage, socket: Duplex): void {
  const problem = problemFor(
    'FAULTLINE_ABSOLUTE_FORM_REFUSED',
    'faultline is a reverse proxy for one upstream; an upgrade must name a path starting with "/".',
    '/',
    requestIdOf(req),
  );
  socket.end(rawProblemResponse(problem));
}
