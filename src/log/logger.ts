import { pino, type Logger, type DestinationStream } from 'pino';
import pretty from 'pino-pretty';

export type { Logger };

/** JSON lines on stdout (or `destination`, which tests read back), or pretty lines for humans. */
export function createLogger(options: { level: string; format: 'json' | 'pretty'; destination?: DestinationStream }): Logger {
  const base = { level: options.level, base: { service: 'faultline' }, timestamp: pino.stdTimeFunctions.isoTime };
  if (options.destination !== undefined) return pino(base, options.destination);
  if (options.format === 'pretty') return pino(base, pretty({ colorize: process.stdout.isTTY === true, sync: true }));
  return pino(base, pino.destination({ dest: 1, sync: true }));
}
