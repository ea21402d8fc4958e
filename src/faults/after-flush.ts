import type { Socket } from 'node:net';

/**
 * Run `then` once everything written to the socket so far has left Node's buffers, so a reset or a
 * close that follows does not throw away bytes we meant the client to see. Bounded: after
 * `maxMs` it runs anyway.
 */
export function afterFlush(socket: Socket, then: () => void, maxMs = 1000): void {
  const deadline = Date.now() + maxMs;
  const check = (): void => {
    if (socket.destroyed) return;
    if (socket.writableLength === 0 || Date.now() > deadline) {
      // One more turn so the kernel has taken the last write before we act on the socket.
      setImmediate(then);
      return;
    }
    setTimeout(check, 1);
  };
  setImmediate(check);
}
