import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger };

/** JSON lines on stdout (or `destination`, which tests read back). */
export function createLogger(options: { level: string; destination?: DestinationStream }): Logger {
  const base = { level: options.level, base: { service: 'faultline' }, timestamp: pino.stdTimeFunctions.isoTime };
  return pino(base, options.destination ?? pino.destination({ dest: 1, sync: true }));
}

/** The logger the settings ask for; pino-pretty is loaded only for `--log-format pretty`. */
export async function createSettingsLogger(options: { level: string; format: 'json' | 'pretty' }): Promise<Logger> {
  if (options.format !== 'pretty') return createLogger({ level: options.level });
  const { default: pretty } = await import('pino-pretty');
  return createLogger({
    level: options.level,
    destination: pretty({ colorize: process.stdout.isTTY, sync: true, ignore: 'pid,hostname,service' }),
  });
}
