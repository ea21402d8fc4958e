import { fileURLToPath } from 'node:url';
import { loadSettings } from '../config/load.js';
import type { Settings } from '../config/settings.js';
import { SETTINGS } from '../config/spec.js';
import { createDemoUpstream } from '../demo/upstream.js';
import { createSettingsLogger } from '../log/logger.js';
import { listen } from '../net/listen.js';
import { startFaultline, type Faultline } from '../app/faultline.js';
import { parseSettingArgs } from './args.js';
import { DEMO_HELP, SERVE_HELP } from './help.js';
import type { CommandIO } from './io.js';
import { formatHostPort } from '../config/settings.js';
import { FaultlineError } from '../errors.js';

/** `faultline serve`: run until SIGTERM/SIGINT, reload on SIGHUP. Resolves with the exit code. */
export async function serveCommand(argv: readonly string[], io: CommandIO): Promise<number> {
  const args = parseSettingArgs(argv);
  if (args.help) {
    io.out(SERVE_HELP());
    return 0;
  }
  if (args.positionals.length > 0)
    throw new FaultlineError('FAULTLINE_USAGE', `unexpected argument "${args.positionals[0]}" (see --help)`);
  const settings = loadSettings({
    flags: args.flags,
    env: process.env,
    configFile: args.configFile ?? process.env.FAULTLINE_CONFIG ?? null,
  });
  return run(settings, []);
}

/** The scenarios shipped with the package (scenarios/ beside dist/). */
export const BUNDLED_SCENARIOS = fileURLToPath(new URL('../../scenarios/', import.meta.url));

/** `faultline demo`: the demo upstream on a free loopback port, the proxy in front of it. */
export async function demoCommand(argv: readonly string[], io: CommandIO): Promise<number> {
  const args = parseSettingArgs(
    argv,
    SETTINGS.filter((s) => s.key !== 'upstream'),
  );
  if (args.help) {
    io.out(DEMO_HELP());
    return 0;
  }
  const upstreamServer = createDemoUpstream();
  const at = await listen(upstreamServer, { host: '127.0.0.1', port: 0 }, 'the demo upstream');
  const flags = new Map(args.flags);
  flags.set('upstream', `http://${formatHostPort(at)}`);
  if (!flags.has('scenarios') && process.env.FAULTLINE_SCENARIOS === undefined)
    flags.set('scenarios', [BUNDLED_SCENARIOS + 'demo.yaml']);
  const settings = loadSettings({ flags, env: process.env, configFile: args.configFile ?? process.env.FAULTLINE_CONFIG ?? null });
  return run(settings, [() => new Promise<void>((r) => upstreamServer.close(() => r()))]);
}

async function run(settings: Settings, alsoClose: (() => Promise<void>)[]): Promise<number> {
  const log = await createSettingsLogger({ level: settings.logLevel, format: settings.logFormat });
  // The handlers go in before the start line is logged: a supervisor may signal as soon as it sees it.
  let signalled: string | null = null;
  let onSignal = (signal: string): void => {
    signalled ??= signal;
  };
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGINT', () => onSignal('SIGINT'));
  const app: Faultline = await startFaultline(settings, { log });
  process.on('SIGHUP', () => void app.reload('SIGHUP'));
  return new Promise<number>((resolve) => {
    let stopping = false;
    onSignal = (signal: string): void => {
      if (stopping) {
        log.warn({ signal }, 'second signal: exiting now');
        resolve(1);
        return;
      }
      stopping = true;
      log.info({ signal, graceMs: settings.shutdownGraceMs }, 'shutting down: draining in-flight requests');
      void app
        .close()
        .then(() => Promise.all(alsoClose.map((c) => c())))
        .then(() => {
          log.info('stopped');
          resolve(0);
        });
    };
    if (signalled !== null) onSignal(signalled);
  });
}
