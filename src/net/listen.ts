import type { AddressInfo, Server } from 'node:net';
import { FaultlineError } from '../errors.js';
import { formatHostPort, type HostPort } from '../config/settings.js';

const REASONS: Record<string, string> = {
  EADDRINUSE: 'address already in use',
  EACCES: 'permission denied (ports below 1024 need privileges)',
  EADDRNOTAVAIL: 'address not available on this machine',
  ENOTFOUND: 'host name not found',
};

/** Listen, turning the usual failures into one-line FAULTLINE_LISTEN_FAILED errors. */
export function listen(server: Server, at: HostPort, what: string): Promise<HostPort> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      const reason = REASONS[err.code ?? ''] ?? err.message;
      reject(
        new FaultlineError('FAULTLINE_LISTEN_FAILED', `cannot listen for ${what} on ${formatHostPort(at)}: ${reason}`, {
          cause: err,
        }),
      );
    };
    server.once('error', onError);
    server.listen(at.port, at.host, () => {
      server.off('error', onError);
      const addr = server.address() as AddressInfo;
      resolve({ host: addr.address, port: addr.port });
    });
  });
}
