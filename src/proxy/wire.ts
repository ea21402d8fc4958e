import type { Socket } from 'node:net';

/**
 * The client side of the wire, as faults need it: the only two ways a response may end other than
 * completely. Kept apart so another listener (HTTP/2) can supply its own: there a reset is
 * RST_STREAM and a cut is a stream reset after DATA frames without END_STREAM.
 */
export interface ClientWire {
  /** A TCP reset (RST): clients report ECONNRESET (curl exit 56). */
  reset(socket: Socket): void;
  /**
   * End the response detectably incomplete: once what was written has left, close the connection
   * without the message's end (no terminating chunk; fewer bytes than Content-Length announced).
   * `then: 'reset'` closes with an RST instead of a FIN. Nothing is written on the connection after.
   */
  cut(socket: Socket, then: 'cut' | 'reset'): void;
  /** Close the connection without a word (a hang that ends). */
  close(socket: Socket): void;
}

export const HTTP1_WIRE: ClientWire = {
  reset(socket) {
    if (!socket.destroyed) socket.resetAndDestroy();
  },
  cut(socket, then) {
    // Stop reading: no later pipelined request on this connection is parsed or answered.
    socket.pause();
    afterFlush(socket, () => {
      if (then === 'reset') socket.resetAndDestroy();
      else socket.destroySoon();
    });
  },
  close(socket) {
    socket.destroy();
  },
};

/**
 * Run `then` once everything written to the socket so far has left Node's buffers, so the close
 * that follows does not throw away bytes the client was meant to see. Bounded: after `maxMs` it
 * runs anyway. Nothing runs once the socket is gone.
 */
function afterFlush(socket: Socket, then: () => void, maxMs = 1000): void {
  const deadline = Date.now() + maxMs;
  const check = (): void => {
    if (socket.destroyed) return;
    if (socket.writableLength === 0 || Date.now() > deadline) {
      // One more turn so the kernel has taken the last write before we act on the socket.
      setImmediate(() => {
        if (!socket.destroyed) then();
      });
      return;
    }
    setTimeout(check, 1);
  };
  setImmediate(check);
}
