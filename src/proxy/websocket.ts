import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import httpProxy from 'http-proxy';
import { silenceHttpProxyDeprecation } from '../log/deprecations.js';
import type { Upstream } from './upstream.js';

/**
 * WebSocket (and any other `Upgrade`) pass-through, handed to http-proxy, which does the tunnel
 * well. Faults do not apply to upgrades. Like plain requests, only origin-form targets reach the upstream.
 */
export function createUpgradeHandler(upstream: Upstream, insecure: boolean, onError: (err: Error) => void): (req: IncomingMessage, socket: Duplex, head: Buffer) => void {
  silenceHttpProxyDeprecation();
  const proxy = httpProxy.createProxyServer({
    target: upstream.url.href,
    ws: true,
    xfwd: true,
    changeOrigin: true,
    secure: !insecure,
  });
  proxy.on('error', (err, _req, target) => {
    onError(err);
    if (target !== undefined && 'destroy' in target) (target as Duplex).destroy();
  });
  return (req, socket, head) => {
    if (req.url === undefined || req.url.charCodeAt(0) !== 47) {
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    socket.on('error', () => socket.destroy());
    proxy.ws(req, socket, head);
  };
}
