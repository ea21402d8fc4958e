import { toHostPort } from '../config/values.js';
import { formatHostPort } from '../config/settings.js';
import { createDemoUpstream } from '../demo/upstream.js';
import { FaultlineError } from '../errors.js';
import { listen } from '../net/listen.js';
import { parseCommandLine } from './args.js';
import { DEMO_UPSTREAM_HELP, DEMO_UPSTREAM_OPTIONS } from './help.js';
import type { CommandIO } from './io.js';

/** `faultline demo-upstream [--listen HOST:PORT]`: runs until SIGTERM/SIGINT. */
export async function demoUpstreamCommand(argv: readonly string[], io: CommandIO): Promise<number> {
  const line = parseCommandLine(argv, DEMO_UPSTREAM_OPTIONS);
  if (line.help) {
    io.out(DEMO_UPSTREAM_HELP);
    return 0;
  }
  if (line.positionals.length > 0)
    throw new FaultlineError('FAULTLINE_USAGE', `unexpected argument "${line.positionals[0]}" (see --help)`);
  const listenAt = line.values.get('listen');
  let at;
  try {
    at = toHostPort((typeof listenAt === 'string' ? listenAt : undefined) ?? process.env.FAULTLINE_LISTEN ?? '127.0.0.1:8090');
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
