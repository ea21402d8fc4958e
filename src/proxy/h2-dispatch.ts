import type { Server as NetServer, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { H2Listener } from './h2-server.js';

/** The client connection preface of HTTP/2 (RFC 9113 §3.4): how an h2c client with prior knowledge starts. */
const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

type ConnectionListener = (this: NetServer, socket: Socket) => void;

/**
 * Serve HTTP/2 beside HTTP/1.1 on the proxy's server. Over TLS the handshake's ALPN decides
 * (`h2`, else HTTP/1.1); on the plain listener the first bytes do: the HTTP/2 preface goes to
 * HTTP/2 (h2c with prior knowledge), anything else to the HTTP/1.1 server exactly as before, with
 * all its listener limits. The HTTP/1.1 server's own connection listener is taken and called for
 * those connections, so nothing about HTTP/1.1 changes.
 *
 * A plain connection that sends nothing within the head deadline is handed to HTTP/1.1, which
 * answers 408 once its own deadline passes (so a silent client waits up to twice the limit).
 */
export function serveH2Beside(server: NetServer, tls: boolean, h2: H2Listener, headersTimeoutMs: number): void {
  const event = tls ? 'secureConnection' : 'connection';
  const http1 = server.listeners(event) as ConnectionListener[];
  server.removeAllListeners(event);
  const toHttp1 = (socket: Socket): void => {
    for (const listener of http1) listener.call(server, socket);
  };
  if (tls)
    server.on('secureConnection', (socket: TLSSocket) => {
      if (socket.alpnProtocol === 'h2') h2.accept(socket);
      else toHttp1(socket);
    });
  else server.on('connection', (socket: Socket) => sniff(socket, headersTimeoutMs, h2, toHttp1));
}

/** Read the connection's first bytes, put them back, and hand the socket to the protocol they start. */
function sniff(socket: Socket, timeoutMs: number, h2: H2Listener, toHttp1: (socket: Socket) => void): void {
  const settle = (): void => {
    if (timer !== null) clearTimeout(timer);
    socket.off('data', onData);
    socket.off('error', onError);
    socket.off('close', onClose);
  };
  let seen: Buffer = Buffer.alloc(0);
  const onData = (chunk: Buffer): void => {
    seen = seen.length === 0 ? chunk : Buffer.concat([seen, chunk]);
    const preface = startsPreface(seen);
    // A client sending a few bytes at a time ("P", "PO" ...): decide once the bytes tell.
    if (preface && seen.length < PREFACE.length) return;
    settle();
    socket.pause();
    socket.unshift(seen);
    if (preface) h2.accept(socket);
    else {
      toHttp1(socket);
      socket.resume();
    }
  };
  // Gone before a byte: nothing to answer.
  const onError = (): void => {
    settle();
    socket.destroy();
  };
  const onClose = (): void => settle();
  const timer =
    timeoutMs > 0
      ? setTimeout(() => {
          settle();
          if (seen.length > 0) socket.unshift(seen);
          toHttp1(socket);
        }, timeoutMs)
      : null;
  socket.on('data', onData);
  socket.on('error', onError);
  socket.on('close', onClose);
}

/** The bytes so far are the preface, or the start of it (a client may send it in pieces). */
function startsPreface(chunk: Buffer): boolean {
  const n = Math.min(chunk.length, PREFACE.length);
  return chunk.compare(PREFACE, 0, n, 0, n) === 0;
}
