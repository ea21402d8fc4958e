import net from 'node:net';
import PoolClass from 'undici/lib/dispatcher/pool.js';

const RESPONSE = 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok';
const LIMIT_MS = 2_000;

/**
 * Parse one HTTP response with undici at start, from a throwaway server on a loopback port.
 *
 * undici parses HTTP with llhttp compiled to WebAssembly; after the first responses it parses, V8
 * recompiles llhttp with its optimizing tier on a background thread, which takes about 36 MiB for
 * about a second (about 10 MiB of it kept). Done here, that one-time cost is paid while the
 * process is small, before any traffic, instead of on top of whatever the first requests hold in
 * memory: the first 1 GiB download through a fresh process peaked at 123–127 MiB without this, and
 * at the level of later ones (107–110 MiB) with it (docs/performance.md). Nothing is sent to the
 * upstream. It gives up silently after 2 s or on any error: it only moves a cost.
 */
export async function warmUpResponseParser(): Promise<void> {
  const server = net.createServer((socket) => {
    socket.on('error', () => socket.destroy());
    socket.once('data', () => socket.end(RESPONSE));
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    const { port } = server.address() as net.AddressInfo;
    const pool = new PoolClass(`http://127.0.0.1:${port}`, { connections: 1 });
    try {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, LIMIT_MS);
        const done = (): void => {
          clearTimeout(timer);
          resolve();
        };
        pool.dispatch(
          { path: '/', method: 'GET' },
          {
            onRequestStart: () => undefined,
            onResponseStart: () => undefined,
            onResponseData: () => undefined,
            onResponseEnd: done,
            onResponseError: done,
          },
        );
      });
    } finally {
      await pool.destroy();
    }
  } catch {
    // Nothing to warm up then: requests work the same, the cost comes with the first of them.
  } finally {
    server.close();
  }
}
