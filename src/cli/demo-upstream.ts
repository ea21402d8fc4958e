import { parseArgs } from 'node:util';
import { toHostPort } from '../config/values.js';
import { formatHostPort } from '../config/settings.js';
import { createDemoUpstream } from '../demo/upstream.js';
import { FaultlineError } from '../errors.js';
import { listen } from '../net/listen.js';
import { usageMessage } from './args.js';
import { DEMO_UPSTREAM_HELP } from './help.js';
import type { CommandIO } from './io.js';

/** `faultline demo-upstream [--listen HOST:PORT]`: runs until SIGTERM/SIGINT. */
export async function demoUpstreamCommand(argv: readonly string[], io: CommandIO): Promise<number> {
  let values: { listen?: string | undefined; help?: boolean | undefined };
  try {
    values = parseArgs({
      args: [...argv],
      options: { listen: { type: 'string' }, help: { type: 'boolean' } },
      strict: true,
    }).values;
  } catch (err) {
    throw new FaultlineError('FAULTLINE_USAGE', usageMessage(err));
  }
  if (values.help === true) {
    io.out(DEMO_UPSTREAM_HELP);
    return 0;
  }
  let at;
  try {
    at = toHostPort(values.listen ?? process.env.FAULTLINE_LISTEN ?? '127.0.0.1:8090');
  } catch (err) {
    throw new FaultlineError('FAULTLINE_CONFIG_INVALID', `--listen: ${(err as Error).message}`);
  }
  const server = createDemoUpstream();
  const bound = await listen(server, at, 'the demo upstream');
  io.out(`demo upstream listening on http://${formatHostPort(bound)}`);
  return new Promise((resolve) => {
    const stop = (): void => {
      server.close(() => resolve(0));
      server.closeAllConnections();
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
}
