import type { IncomingMessage } from 'node:http';
import type { Server } from 'node:net';
import type { Duplex } from 'node:stream';

/** `Upgrade: websocket` (any case, possibly among other protocols) goes to the WebSocket tunnel. */
export function isWebSocketUpgrade(req: IncomingMessage): boolean {
  const upgrade = req.headers.upgrade;
  return upgrade !== undefined && /(?:^|,)\s*websocket\s*(?:,|$)/i.test(upgrade);
}

/** Hop-by-hop headers of an upgrade request, dropped when the upgrade is declined. */
const UPGRADE_HEADERS = new Set(['upgrade', 'http2-settings']);

/**
 * Decline an upgrade faultline does not tunnel (`h2c`, `TLS/1.0`, ...) the way RFC 9110 §7.8
 * lets a server: answer the request as an ordinary HTTP/1.1 one. Node's parser has already taken
 * the head off the socket, so the head is written back without the upgrade (Upgrade,
 * HTTP2-Settings and their Connection tokens; every other header as received, in order) in
 * front of whatever followed it, and the socket is handed to the HTTP server again.
 */
export function declineUpgrade(server: Server, req: IncomingMessage, socket: Duplex, head: Buffer): void {
  const lines = [`${req.method ?? 'GET'} ${req.url ?? '/'} HTTP/${req.httpVersion}`];
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    const lower = name.toLowerCase();
    if (UPGRADE_HEADERS.has(lower)) continue;
    let value = raw[i + 1] as string;
    if (lower === 'connection') {
      value = value
        .split(',')
        .map((t) => t.trim())
        .filter((t) => t !== '' && t.toLowerCase() !== 'upgrade' && !UPGRADE_HEADERS.has(t.toLowerCase()))
        .join(', ');
      if (value === '') continue;
    }
    lines.push(`${name}: ${value}`);
  }
  socket.unshift(Buffer.concat([Buffer.from(lines.join('\r\n') + '\r\n\r\n', 'latin1'), head]));
  server.emit('connection', socket);
}
