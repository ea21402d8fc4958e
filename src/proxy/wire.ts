import type { Ending } from '../faults/plan.js';
import type { ProxyRequest, ProxyResponse } from './messages.js';

/** A client's protocol, as ALPN spells it. */
export type Protocol = 'http/1.1' | 'h2';

/**
 * The client side of the wire, as faults need it: the only ways a response may end other than
 * completely, and what the protocol forbids in a response head. Each listener supplies its own
 * (HTTP/1.1 here, HTTP/2 in h2-wire.ts); the exchange carries the one its request came in on.
 */
export interface ClientWire {
  /** The protocol's name as ALPN spells it: the `protocol` field of logs and label of metrics. */
  readonly protocol: Protocol;
  /**
   * Whether a response may carry connection-specific fields (`Connection: close` after an early
   * answer). HTTP/2 forbids them (RFC 9113 §8.2.2): there the stream ends, the connection stays.
   */
  readonly connectionHeaders: boolean;
  /**
   * Reset the request's exchange at once: a TCP reset (RST) on HTTP/1.1 (curl exit 56); on HTTP/2
   * RST_STREAM with the ending's code, or GOAWAY and the connection closed (see Ending).
   */
  reset(req: ProxyRequest, ending: Ending): void;
  /**
   * End the response detectably incomplete: once what was written has left, close without the
   * message's end (no terminating chunk; fewer bytes than Content-Length announced; on HTTP/2 a
   * RST_STREAM, never END_STREAM). An ending of kind `reset` closes an HTTP/1.1 connection with an
   * RST instead of a FIN. Nothing is written for this exchange after.
   */
  cut(req: ProxyRequest, ending: Ending): void;
  /** End the exchange without a word (a hang that ends). */
  close(req: ProxyRequest): void;
  /** The response went out in full (not cut, reset, or left by the client). */
  complete(res: ProxyResponse): boolean;
}

export const HTTP1_WIRE: ClientWire = {
  protocol: 'http/1.1',
  connectionHeaders: true,
  reset(req) {
    const socket = req.socket;
    if (!socket.destroyed) socket.resetAndDestroy();
  },
  cut(req, ending) {
    const socket = req.socket;
    // Stop reading: no later pipelined request on this connection is parsed or answered.
    socket.pause();
    afterFlush(socket, () => {
      if (ending.kind === 'reset') socket.resetAndDestroy();
      else socket.destroySoon();
    });
  },
  close(req) {
    req.socket.destroy();
  },
  complete(res) {
    return res.writableFinished;
  },
};

/** What afterFlush watches: a socket, or an HTTP/2 stream. */
interface Outbound {
  readonly destroyed: boolean;
  readonly writableLength: number;
}

/**
 * Run `then` once everything written to the socket (or stream) so far has left Node's buffers, so
 * the close that follows does not throw away bytes the client was meant to see. Bounded: after
 * `maxMs` it runs anyway. Nothing runs once it is gone.
 */
export function afterFlush(socket: Outbound, then: () => void, maxMs = 1000): void {
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
