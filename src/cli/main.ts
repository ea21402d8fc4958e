#!/usr/bin/env -S node --no-memory-reducer
// --no-memory-reducer: V8's memory reducer shrinks the heap once the process goes idle, and after
// that 64 KiB responses cost 1.3-1.6x the CPU for many seconds (bench/idle.mjs; docs/performance.md,
// "After an idle spell"). It only acts at idle, so the peak is unchanged; memory freed by a burst
// is no longer handed back while idle. v8.setFlagsFromString cannot do it: the reducer is set up
// with the heap, before any code runs.
import { readFileSync } from 'node:fs';
import { FaultlineError, ScenarioError, formatProblem } from '../errors.js';
import { silenceHttpProxyDeprecation } from '../log/deprecations.js';
import { MAIN_HELP, VERSION_HELP } from './help.js';
import { parseCommandLine } from './args.js';
import { processIO, type CommandIO } from './io.js';
import { demoCommand, serveCommand } from './serve.js';
import { demoUpstreamCommand } from './demo-upstream.js';
import { ADMIN_COMMANDS } from './admin-commands.js';

type Command = (argv: string[], io: CommandIO) => Promise<number>;

const COMMANDS: Record<string, Command> = {
  serve: serveCommand,
  demo: demoCommand,
  'demo-upstream': demoUpstreamCommand,
  validate: async (argv, io) => (await import('./validate.js')).validateCommand(argv, io),
  // Loaded on use: the inspector is not needed to serve, and its modules cost start-up memory.
  inspect: async (argv, io) => {
    const [{ inspectCommand }, { startStatusTarget }] = await Promise.all([import('./inspect.js'), import('./status-target.js')]);
    return inspectCommand(argv, io, { startStatusTarget });
  },
  ...ADMIN_COMMANDS,
  verify: async (argv, io) => (await import('./verify.js')).verifyCommand(argv, io),
  version: async (argv, io) => {
    const line = parseCommandLine(argv, []);
    if (line.help) {
      io.out(VERSION_HELP);
      return 0;
    }
    if (line.positionals.length > 0)
      throw new FaultlineError('FAULTLINE_USAGE', `unexpected argument "${line.positionals[0]}" (see --help)`);
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    io.out(pkg.version);
    return 0;
  },
};

/**
 * Run one command. Expected failures (bad flags, bad config, invalid scenarios, a port in use)
 * become one line per problem on stderr and exit code 2 — never a stack trace.
 */
export async function main(argv: string[], io: CommandIO = processIO): Promise<number> {
  silenceHttpProxyDeprecation();
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(MAIN_HELP);
    return name === undefined ? 2 : 0;
  }
  if (name === '--version') return COMMANDS.version!(rest, io);
  const command = COMMANDS[name];
  if (command === undefined) {
    io.err(`faultline: unknown command "${name}" (see faultline --help)`);
    return 2;
  }
  try {
    return await command(rest, io);
  } catch (err) {
    if (err instanceof ScenarioError) {
      for (const p of err.problems) io.err(formatProblem(p));
      io.err(`faultline: ${err.problems.length} problem(s) in the scenario files; not starting`);
      return 2;
    }
    if (err instanceof FaultlineError) {
      io.err(`faultline: ${err.message}`);
      return 2;
    }
    io.err(`faultline: unexpected error: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}

const code = await main(process.argv.slice(2));
process.exitCode = code;
// Serving commands resolve only when they have stopped; exit explicitly so an open watcher or a
// lingering keep-alive socket cannot keep the process (a container's PID 1) alive.
setImmediate(() => process.exit(code));
